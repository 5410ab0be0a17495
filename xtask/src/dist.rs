//! `cargo xtask dist`: the widget as a site owner deploys it, in `dist/`.
//!
//! release wasm -> wasm-bindgen (locked version) -> wasm-opt -Oz (short import and export names) -> minified glue -> hashed
//! names -> .br and .gz beside each file -> the size table and the budget verdict.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{self, Result, root, run};
use crate::{guard, minify, unused};

/// Brotli budget of the loader alone.
pub const LOADER_BUDGET: usize = 600;
/// Brotli budget of everything a visitor downloads: loader, glue, wasm (CSS is inside it).
pub const WIDGET_BUDGET: usize = 80 * 1024;

/// One file of the distribution with its sizes.
pub struct Asset {
    /// File name in dist/.
    pub name: String,
    /// What it is.
    pub role: &'static str,
    /// Bytes as served uncompressed.
    pub raw: usize,
    /// Bytes gzip -9.
    pub gzip: usize,
    /// Bytes brotli -q 11.
    pub brotli: usize,
}

/// What `dist` produced.
pub struct Dist {
    /// The files, loader first.
    pub assets: Vec<Asset>,
    /// Size of the widget's stylesheet (embedded in the wasm), raw and brotli.
    pub css: (usize, usize),
}

impl Dist {
    /// Brotli bytes of the loader.
    pub fn loader_brotli(&self) -> usize {
        self.assets[0].brotli
    }

    /// Brotli bytes of the whole widget.
    pub fn total_brotli(&self) -> usize {
        self.assets.iter().map(|a| a.brotli).sum()
    }

    /// The size table and budget lines, as printed.
    pub fn report(&self) -> String {
        let mut s = format!(
            "{:<34} {:>9} {:>9} {:>9}\n",
            "file", "raw", "gzip", "brotli"
        );
        for a in &self.assets {
            s += &format!(
                "{:<34} {:>9} {:>9} {:>9}\n",
                format!("{} ({})", a.name, a.role),
                a.raw,
                a.gzip,
                a.brotli
            );
        }
        let sum = |f: fn(&Asset) -> usize| self.assets.iter().map(f).sum::<usize>();
        s += &format!(
            "{:<34} {:>9} {:>9} {:>9}\n",
            "total",
            sum(|a| a.raw),
            sum(|a| a.gzip),
            sum(|a| a.brotli)
        );
        s += &format!(
            "{:<34} {:>9} {:>9} {:>9}\n",
            "  of which CSS (inside the wasm)", self.css.0, "", self.css.1
        );
        let verdict = |used: usize, budget: usize| {
            if used <= budget {
                format!("within budget ({} bytes to spare)", budget - used)
            } else {
                format!("OVER BUDGET by {} bytes", used - budget)
            }
        };
        s += &format!(
            "budget: loader {} / {LOADER_BUDGET} B brotli: {}\n",
            self.loader_brotli(),
            verdict(self.loader_brotli(), LOADER_BUDGET)
        );
        s += &format!(
            "budget: whole widget {:.1} / {} KB brotli: {}\n",
            self.total_brotli() as f64 / 1024.0,
            WIDGET_BUDGET / 1024,
            verdict(self.total_brotli(), WIDGET_BUDGET)
        );
        s
    }
}

/// Build dist/ and return what is in it.
pub fn dist() -> Result<Dist> {
    let root = root();
    let work = root.join("target/dist-work");
    let (wasm, glue) = widget(&root, &root.join("target"), &work)?;
    // One hash for the pair, which is only ever used together: the loader then carries the 16
    // incompressible digits once, not twice.
    let name = format!("sayso-{}", content_hash(&[glue.as_slice(), &wasm].concat()));
    let (glue_name, wasm_name) = (format!("{name}.js"), format!("{name}.wasm"));

    let npm = tools::npm_tools()?;
    let loader_source =
        std::fs::read_to_string(root.join("src/js/loader.js")).map_err(|e| e.to_string())?;
    let loader_filled = loader_source.replace("__SAYSO__", &name);
    std::fs::write(work.join("loader.js"), loader_filled).map_err(|e| e.to_string())?;
    run(Command::new(npm.join("esbuild"))
        .args(["--minify", "--log-level=warning"])
        .arg(work.join("loader.js"))
        .arg(format!(
            "--outfile={}",
            work.join("loader.min.js").display()
        )))?;
    let loader = read(&work.join("loader.min.js"))?;

    let dist = root.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    let assets = vec![
        write_asset(&dist, "sayso.js", "loader", &loader)?,
        write_asset(&dist, &glue_name, "glue", &glue)?,
        write_asset(&dist, &wasm_name, "wasm", &wasm)?,
    ];
    let css = read(&css_path()?)?;
    let manifest = format!(
        "{{\"loader\":\"sayso.js\",\"glue\":\"{glue_name}\",\"wasm\":\"{wasm_name}\",\"brotli_total\":{}}}\n",
        assets.iter().map(|a| a.brotli).sum::<usize>()
    );
    std::fs::write(dist.join("manifest.json"), manifest).map_err(|e| e.to_string())?;
    Ok(Dist {
        assets,
        css: (css.len(), brotli(&css).len()),
    })
}

/// The optimised wasm and minified glue of the widget in workspace `ws`, built into cargo's
/// `target` directory, with `work` as scratch space.
pub fn widget(ws: &Path, target: &Path, work: &Path) -> Result<(Vec<u8>, Vec<u8>)> {
    wasm_library(ws, "sayso", target, work)
}

/// The same pipeline for any wasm-bindgen library `package` of workspace `ws`.
pub fn wasm_library(
    ws: &Path,
    package: &str,
    target: &Path,
    work: &Path,
) -> Result<(Vec<u8>, Vec<u8>)> {
    let bindgen = tools::wasm_bindgen_bin()?;
    let npm = tools::npm_tools()?;
    let xtask = std::env::current_exe().map_err(|e| format!("where is xtask: {e}"))?;
    // The standard library is rebuilt with the profile's size options, and a panic is a trap
    // with no message (see `tools::WIDGET_TOOLCHAIN`). xtask links, to leave out exports
    // nothing calls (`unused.rs`). The flags apply to the wasm only, not to build scripts and
    // proc macros.
    run(tools::widget_cargo()?
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        .env(unused::LINKER_ENV, tools::widget_rust_lld()?)
        .env(
            "CARGO_ENCODED_RUSTFLAGS",
            [
                "-Zunstable-options",
                "-Cpanic=immediate-abort",
                "-Zlocation-detail=none",
                &format!("-Clinker={}", xtask.display()),
            ]
            .join("\x1f"),
        )
        .args([
            "build",
            "-p",
            package,
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
        ]))?;
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    run(Command::new(bindgen.join("wasm-bindgen"))
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(work)
        .arg(target.join(format!(
            "wasm32-unknown-unknown/wasm-release/{package}.wasm"
        ))))?;
    // wasm-opt reads the enabled features from the module's target_features section (which is
    // why the profile keeps `strip = false`); the second run drops the section. That one gives
    // imports and exports short names and prints them, for the glue to follow (`minify.rs`);
    // it runs apart because `--converge` would rename again what it already renamed.
    // Only functions of at most 20 bytes are inlined into their one caller (binaryen inlines
    // any size by default): the module is 4.4 KB brotli smaller (a function body that is not
    // copied into its caller compresses against its siblings), and a browser that compiles
    // each function on its first call no longer compiles, with the first task's function, the
    // code of every later one (reading the survey, checking it) or of branches never taken.
    run(Command::new(npm.join("wasm-opt"))
        .args([
            "-Oz",
            "--converge",
            "--one-caller-inline-max-function-size",
            "20",
        ])
        .arg(work.join(format!("{package}_bg.wasm")))
        .arg("-o")
        .arg(work.join(format!("{package}.Oz.wasm"))))?;
    let mut opt = Command::new(npm.join("wasm-opt"));
    opt.args([
        "--minify-imports-and-exports-and-modules",
        "--strip-debug",
        "--strip-producers",
        "--strip-target-features",
    ])
    .arg(work.join(format!("{package}.Oz.wasm")))
    .arg("-o")
    .arg(work.join(format!("{package}.opt.wasm")));
    eprintln!("$ {}", tools::describe(&opt));
    let printed = opt
        .output()
        .map_err(|e| format!("could not start wasm-opt: {e}"))?;
    if !printed.status.success() {
        return Err(format!(
            "wasm-opt failed: {}",
            String::from_utf8_lossy(&printed.stderr)
        ));
    }
    let renames = minify::parse(&String::from_utf8_lossy(&printed.stdout))?;
    let glue_path = work.join(format!("{package}.js"));
    let glue = std::fs::read_to_string(&glue_path).map_err(|e| e.to_string())?;
    let glue = guard::apply(&unused::drop_classes(&glue, &unused::CLASSES)?)?;
    std::fs::write(&glue_path, minify::apply(&glue, &renames)?).map_err(|e| e.to_string())?;
    run(Command::new(npm.join("esbuild"))
        .args(["--minify", "--format=esm", "--log-level=warning"])
        .arg(work.join(format!("{package}.js")))
        .arg(format!(
            "--outfile={}",
            work.join(format!("{package}.min.js")).display()
        )))?;

    // Chrome compiles the functions of a script marked so while it downloads, off the main
    // thread, instead of each on its first call (the glue is some 190 small functions, nearly
    // all called at start): 7 to 10 ms of the main thread's time unthrottled. Other browsers
    // see a comment.
    let mut glue = b"//# allFunctionsCalledOnLoad\n".to_vec();
    glue.extend(read(&work.join(format!("{package}.min.js")))?);
    Ok((read(&work.join(format!("{package}.opt.wasm")))?, glue))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The minified stylesheet the widget's build script wrote last: in `build/sayso-<hash>/out`, or
/// `build/sayso/<hash>/out` in cargo's newer build directory layout.
fn css_path() -> Result<PathBuf> {
    let build = root().join("target/wasm32-unknown-unknown/wasm-release/build");
    let subdirs = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    };
    let mut found: Vec<PathBuf> = subdirs(&build)
        .into_iter()
        .flat_map(|d| {
            let nested = subdirs(&d);
            std::iter::once(d).chain(nested)
        })
        .map(|d| d.join("out/sayso.min.css"))
        .filter(|p| p.exists())
        .collect();
    found.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    found
        .pop()
        .ok_or_else(|| "the widget's minified CSS was not found".to_owned())
}

fn write_asset(dir: &Path, name: &str, role: &'static str, bytes: &[u8]) -> Result<Asset> {
    let (gz, br) = (gzip(bytes), brotli(bytes));
    for (file, content) in [
        (name.to_owned(), bytes),
        (format!("{name}.gz"), &gz[..]),
        (format!("{name}.br"), &br[..]),
    ] {
        std::fs::write(dir.join(file), content).map_err(|e| e.to_string())?;
    }
    Ok(Asset {
        name: name.to_owned(),
        role,
        raw: bytes.len(),
        gzip: gz.len(),
        brotli: br.len(),
    })
}

/// 16 hex digits of FNV-1a 64 over `bytes`: enough to bust caches, not a security measure.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("writing to memory");
    e.finish().expect("writing to memory")
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing in memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_differ() {
        assert_eq!(content_hash(b""), "cbf29ce484222325");
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
        assert_eq!(content_hash(b"sayso").len(), 16);
    }

    #[test]
    fn compressed_files_decompress_to_the_original() {
        let text = b"Sayso ".repeat(100);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(&text)[..], &mut back).unwrap();
        assert_eq!(back, text);
        let zipped = gzip(&text);
        let mut d = flate2::read::GzDecoder::new(&zipped[..]);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut d, &mut back).unwrap();
        assert_eq!(back, text);
    }
}

//! A throwaway PostgreSQL server for the collector's PostgreSQL tests and bench: a new cluster
//! in a temporary directory, listening on a free loopback port with TLS (a certificate for
//! 127.0.0.1 from a test CA made with `openssl`), stopped and deleted on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{self, Result};

/// A running server. `url` has no database: append `/<name>`.
pub struct Server {
    /// `postgres://sayso@127.0.0.1:<port>`: user `sayso`, trusted on loopback.
    pub url: String,
    /// The certificate of the CA that signed the server's (`sslrootcert=`).
    pub ca: PathBuf,
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
}

impl Server {
    /// Make a cluster and start it; fails with what to install when PostgreSQL is missing.
    pub fn start() -> Result<Self> {
        let bin = server_bin()?;
        // initdb refuses to run as root: then the cluster belongs to the `postgres` user.
        let as_postgres = tools::output(Command::new("id").arg("-u")).as_deref() == Some("0\n");
        if as_postgres && tools::output(Command::new("id").args(["-u", "postgres"])).is_none() {
            return Err(
                "PostgreSQL cannot run as root and there is no `postgres` user: run as \
                        another user, or install the postgresql package, which creates it"
                    .into(),
            );
        }
        let dir = std::env::temp_dir().join(format!("sayso-postgres-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if as_postgres {
            // The cluster's own user creates the data directory and the socket in here.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777))
                .map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port: {e}"))?
            .port();
        let server = Self {
            url: format!("postgres://sayso@127.0.0.1:{port}"),
            ca: dir.join("ca.crt"),
            dir,
            bin,
            as_postgres,
        };
        let data = server.dir.join("data");
        tools::run(server.command("initdb").args([
            "--pgdata".as_ref(),
            data.as_os_str(),
            "--username=sayso".as_ref(),
            "--auth=trust".as_ref(),
            "--encoding=UTF8".as_ref(),
            "--no-sync".as_ref(),
            "--no-instructions".as_ref(),
        ]))?;
        server.make_certificates()?;
        let options = format!(
            "-h 127.0.0.1 -p {port} -k {dir} -c max_connections=200 -c ssl=on \
             -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
            dir = server.dir.display()
        );
        tools::run(server.command("pg_ctl").args([
            "start".as_ref(),
            "--wait".as_ref(),
            "--timeout=120".as_ref(),
            "--pgdata".as_ref(),
            data.as_os_str(),
            "--log".as_ref(),
            server.dir.join("server.log").as_os_str(),
            "-o".as_ref(),
            options.as_ref(),
        ]))?;
        eprintln!("PostgreSQL test server at {}", server.url);
        Ok(server)
    }

    /// A test CA and a certificate for 127.0.0.1 that it signed, made by the cluster's user
    /// (the server reads its key only when that user owns it).
    fn make_certificates(&self) -> Result<()> {
        let dir = self.dir.display();
        let script = format!(
            "set -e; cd {dir}
             printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext
             openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
               -keyout ca.key -out ca.crt -days 2 -subj '/CN=Sayso test CA' \
               -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
             openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
               -keyout server.key -out server.csr -subj '/CN=localhost'
             openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
               -out server.crt -days 2 -extfile server.ext
             chmod 600 server.key"
        );
        let mut sh = Command::new("sh");
        sh.args(["-c", &script]);
        tools::run(&mut self.as_user(sh))
            .map_err(|e| format!("{e}: making the test server's certificate needs openssl"))
    }

    fn command(&self, program: &str) -> Command {
        self.as_user(Command::new(self.bin.join(program)))
    }

    /// `command`, run as the cluster's user.
    fn as_user(&self, command: Command) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"])
                .arg(command.get_program())
                .args(command.get_args());
            c
        } else {
            command
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = tools::run(self.command("pg_ctl").args([
            "stop".as_ref(),
            "--mode=fast".as_ref(),
            "--wait".as_ref(),
            "--pgdata".as_ref(),
            data.as_os_str(),
        ]));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory of `initdb` and `pg_ctl`: on the PATH, or Debian's newest
/// `/usr/lib/postgresql/<version>/bin`.
fn server_bin() -> Result<PathBuf> {
    if let Some(initdb) = tools::output(Command::new("sh").args(["-c", "command -v initdb"]))
        && let Some(dir) = Path::new(initdb.trim()).parent()
    {
        return Ok(dir.to_path_buf());
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "the PostgreSQL tests need a PostgreSQL server (initdb, pg_ctl): \
         apt-get install postgresql"
            .into()
    })
}

-- submitted_at orders the partial forms of one response, compared as text: keep it in one UTC
-- form, YYYY-MM-DDTHH:MM:SS.sssZ, as the collector now writes it. Earlier rows hold the time as
-- the browser wrote it (any offset, 't' and 'z' in either case). A time SQLite cannot read (a
-- leap second, :60) is left as it was.
UPDATE responses
SET submitted_at = strftime('%Y-%m-%dT%H:%M:%fZ', upper(submitted_at))
WHERE strftime('%Y-%m-%dT%H:%M:%fZ', upper(submitted_at)) IS NOT NULL;

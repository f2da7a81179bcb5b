-- userlist.sql: PgBouncer's auth_file for pgbouncer.ini, from the server's
-- SCRAM secrets of the collective's members (never their passwords).
--
-- Run it as a superuser whenever a member joins, leaves or changes their
-- password, then reload PgBouncer:
--
--   psql -U postgres -d collective -Atqf userlist.sql > /etc/pgbouncer/userlist.txt
--   systemctl reload pgbouncer
--
-- PgBouncer checks a member's password against their secret, and then logs
-- them in to the server as themselves with what their login proved (a
-- secret alone logs no one in), so the policies hold as they do without it.
-- No one but the members (not the keeper, nor a superuser) can log in
-- through it. A member whose password the server keeps as an md5 hash (set
-- before password_encryption was scram-sha-256, PostgreSQL 14's default)
-- is left out: they set it again (\password) before the list is made.

SELECT format('"%s" "%s"', replace(rolname, '"', '""'), rolpassword)
FROM pg_authid
WHERE rolcanlogin AND NOT rolsuper AND rolpassword LIKE 'SCRAM-SHA-256$%'
	AND pg_has_role(oid, 'collective', 'MEMBER')
ORDER BY rolname;

-- setup.sql: a collective's memory on PostgreSQL, one role per member.
--
-- Run it once as a superuser (psql -U postgres -f setup.sql), give each
-- role a password (psql -U postgres -c '\password ana'), then let the
-- keeper make the store, which remember does on the keeper's first run
-- that writes:
--
--   remember --db postgres://keeper@HOST/collective import < /dev/null
--
-- That makes the tables, their indexes and the policies of store.sql. The
-- keeper owns them and stores nothing; the members store, each as their
-- own role, and the database enforces that a member reads every memory but
-- changes or forgets only their own.

-- The keeper owns the database and the store's tables.
CREATE ROLE keeper LOGIN;

-- The members: one role each (a new member: one more line, and their
-- password), in the group that may connect.
CREATE ROLE collective NOLOGIN;
CREATE ROLE ana LOGIN IN ROLE collective;
CREATE ROLE ben LOGIN IN ROLE collective;
CREATE ROLE cleo LOGIN IN ROLE collective;

-- Only the keeper and the members connect. In PostgreSQL 15 and later no
-- one but the owner may create tables in its public schema, so no member
-- can make tables of their own beside the store's.
CREATE DATABASE collective OWNER keeper;
REVOKE ALL ON DATABASE collective FROM PUBLIC;
GRANT CONNECT ON DATABASE collective TO collective;

"""Which rows belong to whom, for the triggers that raise `User.data_version`.

Every table holding a person's data gets three statement-level triggers (insert, update,
delete) that raise the version of each person the changed rows belong to, in the same
transaction as the change. A trigger, not a signal: bulk inserts, `QuerySet.update()`, cascades,
the admin and a psql session all go through it, so a page kept for a
person (backpain/page_cache.py) can never outlive a change to what it shows.

Each entry maps a table to a query over `changed` (the statement's changed rows) that names
the people concerned. A row never moves from one person to another in this app, so an update
looks at the new rows only. The audit log is left out on purpose: every review writes to it,
and no kept page shows it. `seed_scale` sets `backpain.bulk_load` for its one transaction of
new people (nobody can have seen their pages), which the triggers skip.

Migration accounts/0003 runs `create_sql()`: a change here needs a new migration that runs
it again (the function is CREATE OR REPLACE; new triggers need CREATE TRIGGER).
"""

from __future__ import annotations


def _via(parent: str, column: str, person: str) -> str:
    return f"SELECT p.{person} FROM {parent} p WHERE p.id IN (SELECT {column} FROM changed)"


PEOPLE: dict[str, str] = {
    "accounts_carelink": "SELECT patient_id FROM changed UNION SELECT clinician_id FROM changed",
    "accounts_invitecode": "SELECT clinician_id FROM changed UNION SELECT used_by_id FROM changed",
    "account_emailaddress": "SELECT user_id FROM changed",
    "mfa_authenticator": "SELECT user_id FROM changed",
    "screening_screening": "SELECT user_id FROM changed",
    "screening_answer": _via("screening_screening", "screening_id", "user_id"),
    "checklist_run": "SELECT user_id FROM changed",
    "checklist_answer": _via("checklist_run", "run_id", "user_id"),
    "progress_plan": "SELECT patient_id FROM changed",
    "progress_planitem": _via("progress_plan", "plan_id", "patient_id"),
    "progress_session": "SELECT patient_id FROM changed",
    "progress_sessionentry": _via("progress_session", "session_id", "patient_id"),
    "progress_functionactivity": "SELECT patient_id FROM changed",
    "progress_checkin": "SELECT patient_id FROM changed",
    "progress_functionscore": _via("progress_checkin", "check_in_id", "patient_id"),
    "progress_reminder": "SELECT patient_id FROM changed",
    "clinic_note": "SELECT patient_id FROM changed UNION SELECT clinician_id FROM changed",
    "clinic_alert": "SELECT patient_id FROM changed",
    "clinic_clinicianpreference": "SELECT clinician_id FROM changed",
}

FUNCTION = """
CREATE OR REPLACE FUNCTION backpain_raise_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- seed_scale's bulk load of new people, whose pages nobody can have seen yet.
    IF current_setting('backpain.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- Lock the people in id order, so two writers touching the same people cannot deadlock.
    EXECUTE format(
        'UPDATE accounts_user SET data_version = data_version + 1 WHERE id IN ('
        'SELECT id FROM accounts_user WHERE id IN (%s) ORDER BY id FOR UPDATE)',
        TG_ARGV[0]);
    RETURN NULL;
END $$;

-- Any change to the account row itself (name, role, e-mail, last login) raises it too, and
-- a save() from a Python object read before a trigger fired can never lower it.
CREATE OR REPLACE FUNCTION backpain_user_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.data_version := OLD.data_version + 1;
    IF NEW.display_name IS DISTINCT FROM OLD.display_name
            OR NEW.email IS DISTINCT FROM OLD.email THEN
        -- A clinician's name is on their patients' pages (sharing, a prescribed plan).
        UPDATE accounts_user SET data_version = data_version + 1 WHERE id IN (
            SELECT patient_id FROM accounts_carelink WHERE clinician_id = NEW.id
            UNION SELECT patient_id FROM progress_plan WHERE author_id = NEW.id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_user_data_version BEFORE UPDATE ON accounts_user
    FOR EACH ROW EXECUTE FUNCTION backpain_user_data_version();
"""


def create_sql() -> str:
    statements = [FUNCTION]
    for table, people in PEOPLE.items():
        argument = people.replace("'", "''")
        for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            statements.append(
                f"CREATE TRIGGER {table}_dv_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION backpain_raise_data_version('{argument}');"
            )
    return "\n".join(statements)


def drop_sql() -> str:
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_dv_{event} ON {table};"
        for table in PEOPLE
        for event in ("insert", "update", "delete")
    ]
    statements += [
        "DROP TRIGGER IF EXISTS accounts_user_data_version ON accounts_user;",
        "DROP FUNCTION IF EXISTS backpain_user_data_version();",
        "DROP FUNCTION IF EXISTS backpain_raise_data_version();",
    ]
    return "\n".join(statements)

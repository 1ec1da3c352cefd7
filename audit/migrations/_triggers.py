"""The append-only triggers of the audit tables (migrations 0003 and 0004 use them)."""


def create_triggers(table: str) -> str:
    return f"""
    CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION pms_audit_append_only();
    CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION pms_audit_append_only();
    """


def drop_triggers(table: str) -> str:
    return f"""
    DROP TRIGGER IF EXISTS {table}_no_change ON {table};
    DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
    """

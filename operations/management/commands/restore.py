import psycopg
from django.core.management.base import BaseCommand, CommandError

from operations.backups import RestoreError, backup_restore, restore_plan
from operations.sealed import BackupError


class Command(BaseCommand):
    help = (
        "Restore a backup into the database (or --target). Prints what it will do, verifies the whole "
        "backup first, and refuses a database that has tables unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backup", help="a backup file name (default: the newest in storage)")
        parser.add_argument("--target", help="database name (default: the configured database)")
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a non-empty database"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="verify the backup and print the plan only"
        )

    def handle(self, *args, backup=None, target=None, force=False, dry_run=False, **options):
        try:
            plan = restore_plan(backup=backup, target=target)
        except RestoreError as exc:
            raise CommandError(str(exc)) from exc
        except psycopg.Error as exc:
            raise CommandError(
                f"Restore REFUSED: the database server did not answer ({exc.__class__.__name__}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no detail'}). Nothing was changed. "
                "Check DATABASE_URL and that PostgreSQL is running."
            ) from exc
        m = plan.manifest
        counts = m.get("row_counts", {})
        self.stdout.write("Restore plan:")
        self.stdout.write(f"  backup    {m['file']} taken {m['created_at']} ({m['size']:,} bytes)")
        self.stdout.write(
            f"  contents  {len(counts)} tables, {sum(counts.values()):,} rows; schema {m.get('schema_version')}"
        )
        seal = m.get("audit_seal")
        self.stdout.write(
            f"  audit     last seal {seal['id']} at {seal['at']}" if seal else "  audit     no seal recorded"
        )
        state = (
            f"has {plan.tables} tables: its contents will be REPLACED"
            if plan.populated
            else ("exists and is empty" if plan.exists else "does not exist: it will be created")
        )
        self.stdout.write(f"  target    database {plan.target} {state}")
        self.stdout.write(
            "  steps     verify every chunk and the SHA-256, then pg_restore in one transaction"
        )
        if plan.populated and not force:
            raise CommandError(
                f"Refusing: database {plan.target} is not empty. Nothing was changed. "
                "Pass --force to replace its contents, or --target an empty database."
            )
        try:
            if dry_run:
                from operations.backups import backup_verify

                backup_verify(m)
                self.stdout.write(self.style.SUCCESS("Backup verified (dry run): nothing was changed."))
                return
            backup_restore(plan, force=force)
        except (RestoreError, BackupError, OSError, psycopg.Error) as exc:
            raise CommandError(f"Restore REFUSED: {exc}. Nothing was changed.") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Restored {m['file']} into {plan.target}. Run `manage.py migrate` next.")
        )

"""A world for scheduling tests: associations A and B, staff of each role
(from `examctl user add`), and the sample exam forms.

Forms: when examctl has `import`, the sample bank is imported
(imh-sample-a, ecmh-sample-a, imh-short). Until the item bank's migration
exists, a stand-in `forms` table with the same columns the scheduling code
reads (identifier, title, program, published) is created instead, plus an
unpublished form; has_draft_form says whether that one exists.
"""
import datetime
import os
import sqlite3

from harness import ROOT, examctl

PASSWORD = "correct horse battery staple"
STAFF = {
    "admin": ("admin", None),
    "coord_a": ("coordinator", "A"),
    "coord_b": ("coordinator", "B"),
    "proctor_a": ("proctor", "A"),
    "proctor_a2": ("proctor", "A"),
    "proctor_b": ("proctor", "B"),
    "grader_a": ("grader", "A"),
}


def has_import():
    return " import " in examctl(check=False).stderr


def seed_forms(db_path):
    """Returns True when an unpublished form 'imh-draft' exists."""
    if has_import():
        examctl("import", os.path.join(ROOT, "items", "bank"), db=db_path)
        return False
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE forms (identifier TEXT PRIMARY KEY, title TEXT"
               " NOT NULL, program TEXT NOT NULL, published INTEGER NOT NULL)")
    db.executemany("INSERT INTO forms VALUES (?,?,?,?)", [
        ("imh-sample-a", "IMH sample A", "IMH", 1),
        ("ecmh-sample-a", "ECMH sample A", "ECMH", 1),
        ("imh-short", "IMH short", "IMH", 1),
        ("imh-draft", "IMH draft", "IMH", 0),
    ])
    db.commit()
    db.close()
    return True


def seed(examd):
    examctl("association", "add", "A", "Association A", db=examd.db)
    examctl("association", "add", "B", "Association B", db=examd.db)
    for name, (role, assoc) in STAFF.items():
        args = ["user", "add", name, "--role", role]
        if assoc:
            args += ["--association", assoc]
        if role == "grader":
            args += ["--endorsement", "IMHS"]
        examctl(*args, db=examd.db, stdin=PASSWORD + "\n")
    return seed_forms(examd.db)


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def now_plus(**kw):
    return rfc3339(datetime.datetime.now(datetime.timezone.utc) +
                   datetime.timedelta(**kw))

"""The item bank: examctl import/export of real QTI, all-or-nothing, hostile
input, versioning, exam form checks, the QTI 3.0 round trip, and the API
(GET /exams, the admin item listing, item images)."""
import concurrent.futures
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import unittest
import zlib

from harness import BIN, ROOT, Examd, ExamdTestCase, examctl, main

BANK = os.path.join(ROOT, "items", "bank")
QTI3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI22 = "http://www.imsglobal.org/xsd/imsqti_v2p2"


def corpus_dir():
    for d in (os.environ.get("EXAMD_QTI_CORPUS"),
              os.path.join(ROOT, "..", "shared", "qti-corpus"),
              os.path.join(ROOT, "..", "..", "shared", "qti-corpus")):
        if d and os.path.isdir(d):
            return os.path.abspath(d)
    return None


# Every file of ../shared/qti-corpus (but xsd/): what `examctl import FILE`
# does with it on a fresh database. ("mc"|"essay", images stored) or
# ("refused", a part of the message).
CORPUS = {
    "qti21/choice.xml": ("mc", 0),          # its image is not in the corpus: warning
    "qti21/choice_fixed.xml": ("mc", 0),
    "qti21/math.xml": ("mc", 0),
    "qti21/qcyril2gV2.xml": ("mc", 0),
    "qti30/simple-choice-processing.xml": ("mc", 0),
    "tests/webdev21/question1.xml": ("mc", 0),
    "tests/webdev21/question2.xml": ("mc", 0),
    "tests/webdev21/question3.xml": ("mc", 0),
    "tests/webdev21/question4.xml": ("mc", 0),
    "tests/webdev21/question6.xml": ("mc", 0),
    "tests/webdev21/question7.xml": ("mc", 0),
    "qti21/essay.xml": ("essay", 0),
    "qti21/extended_text.xml": ("essay", 0),
    "qti21/extended_text_min_max.xml": ("essay", 0),
    "qti30/extended-text-sv-2a.xml": ("essay", 0),
    "qti30/without-response-processing.xml": ("essay", 0),
    "qti21/choice_multiple.xml": ("refused", ":19: multiple-response choice"),
    "qti21/item_body_dir_attr.xml": ("refused", "multiple-response choice"),
    "tests/webdev21/question5.xml": ("refused", ":23: multiple-response choice"),
    "tests/webdev21/question9.xml": ("refused", "multiple-response choice"),
    "qti21/extendedTextInteraction-multiple1.xml":
        ("refused", "must have cardinality single (found ordered)"),
    "qti21/v20_choice.xml": ("refused", ":6: QTI 2.0 is not supported"),
    "tests/webdev21/question8.xml":
        ("refused", ":28: unsupported interaction inlineChoiceInteraction"),
    "unsupported/gap_match.xml":
        ("refused", "unsupported interaction gapMatchInteraction"),
    "unsupported/hotspot.xml":
        ("refused", "unsupported interaction hotspotInteraction"),
    "unsupported/order.xml":
        ("refused", "unsupported interaction orderInteraction"),
    "unsupported/text_entry.xml":
        ("refused", ":20: unsupported interaction textEntryInteraction"),
    "invalid/aqti_tmh_sample_1.xml":
        ("refused", "root element assessmentItem is not QTI 3.0"),
    "invalid/base-type-string-invalid.xml":
        ("refused", "QTI 3.0 syntax in the QTI 2.2 namespace"),
    "invalid/default-value-wrong-tag.xml":
        ("refused", ":15: qti-default-value may only contain qti-value"),
    "invalid/empty.xml": ("refused", "empty file (zero bytes)"),
    "invalid/empty_test_missing_namespace.xml":
        ("refused", "root element assessmentTest has no namespace"),
    "invalid/empty_test_wrong_namespace.xml":
        ("refused", "unknown namespace http://www.imsglobal.org/xsd/"
                    "imsqti_unknown_version"),
    "invalid/illformed.xml": ("refused", "not well-formed XML"),
    "invalid/malformed.xml": ("refused", "not well-formed XML"),
    "invalid/invalidresponseidentifier.xml":
        ("refused", "responseIdentifier \"RESPONSE\" matches no "
                    "responseDeclaration"),
    "invalid/xsdinvalid.xml":
        ("refused", ":9: not valid QTI 2.1 (XSD): Element "
                    "'responseDeclaration', attribute 'foo'"),
    # The corpus tests are real QTI tests but not examd forms.
    "tests/timelimits.xml": ("refused", ":6: href \"http://tao.local/"),
    "tests/randomizing_the_order_of_items_and_sections.xml":
        ("refused", ":21: section sectionB mixes item references and "
                    "sub-sections"),
    "tests/controlling_the_duration_of_an_item_attempt.xml":
        ("refused", "item034.xml: No such file or directory"),
    "tests/webdev21/template_test1.xml":
        ("refused", "question8.xml:28: unsupported interaction"),
    # Manifests read as packages whose files the corpus does not have.
    "manifest/imsmanifest_v3p1.xml":
        ("refused", "imsmanifest_v3p1.xml:9: resource ITEM-001"),
    "manifest/v21_items_imsmanifest.xml":
        ("refused", "No such file or directory"),
    "manifest/v30_T4-T7_imsmanifest.xml":
        ("refused", "No such file or directory"),
    "xsd/rptemplates/qti_v2p1/match_correct.xml":
        ("refused", "root element responseProcessing is not an "
                    "assessmentItem"),
    "xsd/rptemplates/qti_v2p1/map_response.xml":
        ("refused", "is not an assessmentItem"),
    "xsd/rptemplates/qti_v2p1/map_response_point.xml":
        ("refused", "is not an assessmentItem"),
}


def png_bytes():
    """A valid 1x1 PNG."""
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) +
            chunk(b"IEND", b""))


def mc3(ident, stem="Which one?", key="A", domain="theoretical-foundations",
        topic="attachment", extra_body=""):
    """A QTI 3.0 multiple-choice item."""
    dom = (' examd:domain="%s" examd:topic="%s"' % (domain, topic)
           if domain else "")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<qti-assessment-item xmlns="%s" xmlns:examd="urn:examd:qti:1" '
            'identifier="%s" title="T %s"%s>\n'
            '<qti-response-declaration identifier="RESPONSE" '
            'cardinality="single" base-type="identifier">'
            '<qti-correct-response><qti-value>%s</qti-value>'
            '</qti-correct-response></qti-response-declaration>\n'
            '<qti-item-body><p>%s</p>%s<qti-choice-interaction '
            'response-identifier="RESPONSE" max-choices="1">'
            '<qti-prompt>Pick one</qti-prompt>'
            '<qti-simple-choice identifier="A">Alpha</qti-simple-choice>'
            '<qti-simple-choice identifier="B">Beta</qti-simple-choice>'
            '</qti-choice-interaction></qti-item-body>\n'
            '<qti-response-processing template="https://purl.imsglobal.org/'
            'spec/qti/v3p0/rptemplates/match_correct"/>\n'
            '</qti-assessment-item>\n' % (QTI3, ident, ident, dom, key, stem,
                                         extra_body))


def essay3(ident):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<qti-assessment-item xmlns="%s" xmlns:examd="urn:examd:qti:1" '
            'identifier="%s" title="E" examd:domain="direct-service-skills" '
            'examd:topic="trauma">'
            '<qti-response-declaration identifier="RESPONSE" '
            'cardinality="single" base-type="string"/>'
            '<qti-item-body><p>A vignette.</p>'
            '<qti-extended-text-interaction response-identifier="RESPONSE">'
            '<qti-prompt>Discuss.</qti-prompt>'
            '</qti-extended-text-interaction></qti-item-body>'
            '</qti-assessment-item>\n' % (QTI3, ident))


def form3(ident, mc_refs, essay_refs=(), program="IMH"):
    """A QTI 3.0 form: an MC part and an IMHS essay part."""
    mc = "".join('<qti-assessment-item-ref identifier="%s" href="%s"/>'
                 % (i, h) for i, h in mc_refs)
    es = "".join('<qti-assessment-item-ref identifier="%s" href="%s" '
                 'category="clinical"/>' % (i, h) for i, h in essay_refs)
    essay = ('<qti-assessment-section identifier="essay" title="P2" '
             'visible="true"><qti-time-limits max-time="60"/>'
             '<qti-assessment-section identifier="essay-imhs" title="S" '
             'visible="true" examd:tracks="IMHS" examd:answer="1">%s'
             '</qti-assessment-section></qti-assessment-section>' % es
             if essay_refs else "")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<qti-assessment-test xmlns="%s" xmlns:examd="urn:examd:qti:1" '
            'identifier="%s" title="Form %s" examd:program="%s">'
            '<qti-test-part identifier="p" navigation-mode="nonlinear" '
            'submission-mode="simultaneous">'
            '<qti-assessment-section identifier="mc" title="P1" '
            'visible="true" examd:cut-percent="75">'
            '<qti-time-limits max-time="90.5"/>%s</qti-assessment-section>%s'
            '</qti-test-part></qti-assessment-test>\n'
            % (QTI3, ident, ident, program, mc, essay))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as f:
        f.write(text)
    return path


def counts(db):
    c = sqlite3.connect(db)
    try:
        return tuple(c.execute(
            "SELECT (SELECT count(*) FROM items),"
            " (SELECT count(*) FROM item_assets),"
            " (SELECT count(*) FROM forms),"
            " (SELECT count(*) FROM form_items)").fetchone())
    finally:
        c.close()


def query(db, sql, *args):
    c = sqlite3.connect(db)
    c.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in c.execute(sql, args)]
    finally:
        c.close()


def import_(db, *paths, check=False):
    return examctl("import", *paths, db=db, check=check)


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="examd-bank-")
        self.db = self.new_db("a.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def new_db(self, name):
        db = os.path.join(self.dir, name)
        examctl("init", db=db)
        return db

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def assertRefused(self, p, *wants):
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("nothing was imported", p.stderr)
        for w in wants:
            self.assertIn(w, p.stderr)


class TestCorpus(Tmp):
    """Every corpus file alone into a fresh database: the table above."""

    def test_every_corpus_file_has_an_expected_outcome(self):
        d = corpus_dir()
        if d is None:
            self.skipTest("../shared/qti-corpus not found")
        found = set()
        for base, _, files in os.walk(d):
            for f in files:
                rel = os.path.relpath(os.path.join(base, f), d)
                if rel.endswith(".xml") and not rel.endswith(".xsd"):
                    found.add(rel)
        self.assertEqual(sorted(found - set(CORPUS)), [],
                         "corpus files without an expectation")
        self.assertEqual(sorted(set(CORPUS) - found), [])

    def test_each_corpus_file_imports_or_is_refused_by_name(self):
        d = corpus_dir()
        if d is None:
            self.skipTest("../shared/qti-corpus not found")

        def one(rel):
            db = os.path.join(self.dir, rel.replace("/", "_") + ".db")
            examctl("init", db=db)
            return rel, db, import_(db, os.path.join(d, rel))

        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            results = list(ex.map(one, sorted(CORPUS)))
        for rel, db, p in results:
            want, arg = CORPUS[rel]
            with self.subTest(rel):
                self.assertNotIn("Sanitizer", p.stderr)
                if want == "refused":
                    self.assertRefused(p, arg)
                    self.assertEqual(counts(db), (0, 0, 0, 0))
                else:
                    self.assertEqual(p.returncode, 0, p.stderr)
                    rows = query(db, "SELECT kind, answer_key FROM items")
                    self.assertEqual(len(rows), 1)
                    self.assertEqual(rows[0]["kind"], want)
                    self.assertEqual(counts(db)[1], arg)

    def test_same_identifier_in_two_files_is_refused_naming_both(self):
        d = corpus_dir()
        if d is None:
            self.skipTest("../shared/qti-corpus not found")
        q1 = os.path.join(d, "tests/webdev21/question1.xml")
        q2 = os.path.join(d, "tests/webdev21/question2.xml")
        p = import_(self.db, q1, q2)
        self.assertRefused(p, "item identifier \"choice\" is also used by",
                           "question1.xml", "question2.xml")
        self.assertEqual(counts(self.db), (0, 0, 0, 0))


class TestBank(Tmp):
    def test_sample_bank_imports_with_expected_counts(self):
        p = import_(self.db, BANK)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("items 146 new, 0 new version, 0 unchanged; "
                      "forms 3 new", p.stdout)
        self.assertEqual(counts(self.db)[0], 146)
        self.assertEqual(counts(self.db)[2], 3)
        kinds = query(self.db, "SELECT kind, count(*) n FROM items "
                      "GROUP BY kind ORDER BY kind")
        self.assertEqual([(r["kind"], r["n"]) for r in kinds],
                         [("essay", 20), ("mc", 126)])
        self.assertEqual(query(self.db, "SELECT count(*) n FROM items "
                               "WHERE domain IS NULL")[0]["n"], 0)
        secs = query(self.db, "SELECT f.identifier form, s.identifier sec,"
                     " s.kind, s.time_limit_ms, s.cut_percent,"
                     " (SELECT count(*) FROM form_items i WHERE"
                     "  i.section_id = s.id) n"
                     " FROM form_sections s JOIN forms f ON f.id = s.form_id"
                     " ORDER BY f.identifier, s.position")
        self.assertEqual(
            [(r["form"], r["sec"], r["kind"], r["time_limit_ms"],
              r["cut_percent"]) for r in secs],
            [("ecmh-sample-a", "mc", "mc", 1800000, 80),
             ("ecmh-sample-a", "essay", "essay", 5400000, 80),
             ("imh-sample-a", "mc", "mc", 5400000, 80),
             ("imh-sample-a", "essay", "essay", 5400000, 80),
             ("imh-short", "mc", "mc", 6000, 80),
             ("imh-short", "essay", "essay", 6000, 80)])
        self.assertEqual(secs[2]["n"], 60)
        tr = query(self.db, "SELECT t.tracks, t.answer, t.require FROM"
                   " form_tracks t JOIN form_sections s ON s.id ="
                   " t.section_id JOIN forms f ON f.id = s.form_id WHERE"
                   " f.identifier = 'imh-sample-a' AND t.tracks = 'IMHM-C'")
        self.assertEqual(tr[0]["answer"], 2)
        self.assertEqual(tr[0]["require"],
                         '[{"group":"supervisory","min":1},'
                         '{"group":"clinical","min":1}]')
        # Again: nothing changes.
        p = import_(self.db, BANK)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("items 0 new, 0 new version, 146 unchanged; forms 0 "
                      "new, 0 replaced, 3 unchanged", p.stdout)
        self.assertEqual(counts(self.db)[0], 146)

    def small_form(self):
        d = self.path("small")
        write(os.path.join(d, "a.xml"), mc3("sa"))
        write(os.path.join(d, "e.xml"), essay3("se"))
        return write(os.path.join(d, "small.xml"), form3(
            "small", [("a", "a.xml")], [("e", "e.xml")]))

    def test_dry_run_stores_nothing(self):
        p = import_(self.db, "-n", self.small_form())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("nothing stored", p.stdout)
        self.assertEqual(counts(self.db), (0, 0, 0, 0))

    def test_one_bad_file_in_a_folder_imports_nothing(self):
        d = self.path("folder")
        for i in range(20):
            write(os.path.join(d, "sub", "i%02d.xml" % i), mc3("i%02d" % i))
        import_(self.db, os.path.join(d, "sub", "i00.xml"), check=True)
        before = counts(self.db)
        write(os.path.join(d, "zz-bad.xml"), mc3("bad", key="Z"))
        p = import_(self.db, d)
        self.assertRefused(p, "zz-bad.xml")
        self.assertEqual(counts(self.db), before)

    def test_round_trip_through_a_qti3_package_keeps_every_field(self):
        import_(self.db, BANK, self.pic_folder(), check=True)
        fresh = self.new_db("b.db")
        for form in ("imh-sample-a", "ecmh-sample-a", "imh-short", "pic"):
            out = self.path("export-" + form)
            p = examctl("export", "--form", form, out, db=self.db,
                        check=False)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(os.path.isfile(os.path.join(
                out, "imsmanifest.xml")))
            p = import_(fresh, out)
            self.assertEqual(p.returncode, 0, p.stderr)
        cols = ("identifier, version, kind, title, lang, domain, topic,"
                " stem_html, prompt_html, choices, answer_key, shuffle,"
                " expected_length, rubric_html, rubric, content_hash")
        sql = ("SELECT %s FROM items WHERE id IN (SELECT item_id FROM"
               " form_items) ORDER BY identifier" % cols)
        a, b = query(self.db, sql), query(fresh, sql)
        self.assertEqual(len(a), len(b))
        for x, y in zip(a, b):
            self.assertEqual(x, y)
        self.assertEqual(b[-1]["identifier"], "pic-1")
        sql = ("SELECT a.path, a.mime, a.data, a.sha256 FROM item_assets a"
               " JOIN items i ON i.id = a.item_id ORDER BY i.identifier")
        self.assertEqual(query(self.db, sql), query(fresh, sql))
        self.assertEqual(len(query(fresh, sql)), 1)
        sql = ("SELECT f.identifier, f.title, f.program, f.content_hash,"
               " s.position, s.identifier sid, s.title st, s.kind,"
               " s.time_limit_ms, s.cut_percent FROM forms f JOIN"
               " form_sections s ON s.form_id = f.id ORDER BY 1, 5")
        self.assertEqual(query(self.db, sql), query(fresh, sql))
        sql = ("SELECT f.identifier, t.identifier, t.title, t.tracks,"
               " t.answer, t.require FROM form_tracks t JOIN form_sections"
               " s ON s.id = t.section_id JOIN forms f ON f.id = s.form_id"
               " ORDER BY 1, s.position, t.position")
        self.assertEqual(query(self.db, sql), query(fresh, sql))
        sql = ("SELECT f.identifier, s.identifier, t.identifier,"
               " fi.position, fi.ref, fi.category, i.content_hash FROM"
               " form_items fi JOIN form_sections s ON s.id = fi.section_id"
               " JOIN forms f ON f.id = s.form_id LEFT JOIN form_tracks t ON"
               " t.id = fi.track_id JOIN items i ON i.id = fi.item_id"
               " ORDER BY 1, 2, 3, 4")
        self.assertEqual(query(self.db, sql), query(fresh, sql))
        self.assertEqual(query(fresh, "SELECT DISTINCT source_version v"
                               " FROM items"), [{"v": 30}])

    def test_export_refuses_a_missing_form_or_a_full_folder(self):
        import_(self.db, self.small_form(), check=True)
        p = examctl("export", "--form", "nope", self.path("x"), db=self.db,
                    check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no form \"nope\"", p.stderr)
        write(self.path("full", "keep.txt"), "x")
        p = examctl("export", "--form", "small", self.path("full"),
                    db=self.db, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("exists and is not empty", p.stderr)

    def pic_folder(self):
        """An MC item with an image, in a form of its own."""
        d = self.path("pic")
        write(os.path.join(d, "items", "images", "p.png"), png_bytes())
        write(os.path.join(d, "items", "pic-1.xml"), mc3(
            "pic-1", stem='Look: <img src="images/p.png" alt="a dot"/> '
            '&amp; <math xmlns="http://www.w3.org/1998/Math/MathML">'
            '<mi>x</mi></math><br/>'))
        write(os.path.join(d, "forms", "pic.xml"), form3(
            "pic", [("pic-1", "../items/pic-1.xml")]))
        return d


class TestHostile(Tmp):
    """Hostile files through examctl import: refused, nothing read or stored."""

    SECRET = "examd-secret-marker-5f3a"

    def test_hostile_files_are_refused_and_store_nothing(self):
        secret = write(self.path("secret.txt"), self.SECRET)
        cases = {
            "xxe-file.xml": ('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x '
                             'SYSTEM "file://%s">]>\n<qti-assessment-item '
                             'xmlns="%s" identifier="x">&x;'
                             '</qti-assessment-item>' % (secret, QTI3),
                             "DOCTYPE declarations are not allowed"),
            "xxe-http.xml": ('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x '
                             'SYSTEM "http://127.0.0.1:9/x">]>\n<a>&x;</a>',
                             "DOCTYPE declarations are not allowed"),
            "lol.xml": ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n'
                        '<!ENTITY lol "lol">\n' + "".join(
                            '<!ENTITY lol%d "%s">\n' % (i, ("&lol%d;" % (i - 1)
                                                           if i else "&lol;")
                                                       * 10)
                            for i in range(9)) +
                        ']>\n<a>&lol8;</a>',
                        "DOCTYPE declarations are not allowed"),
            "deep.xml": ('<qti-assessment-item xmlns="%s" identifier="d">'
                         % QTI3 + "<div>" * 5000 + "</div>" * 5000 +
                         "</qti-assessment-item>", "deeper than"),
            "utf8.xml": (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                         b'<qti-assessment-item xmlns="' + QTI3.encode() +
                         b'" identifier="u"><p>\xff\xfe</p>'
                         b'</qti-assessment-item>', "UTF-8"),
            "zero.xml": ("", "empty file (zero bytes)"),
        }
        for name, (text, want) in sorted(cases.items()):
            with self.subTest(name):
                f = write(self.path("h", name), text)
                p = import_(self.db, f)
                self.assertRefused(p, want)
                self.assertNotIn(self.SECRET, p.stderr + p.stdout)
                self.assertEqual(counts(self.db), (0, 0, 0, 0))
        # 100 MB: refused by size before it is read.
        big = self.path("h", "big.xml")
        with open(big, "wb") as f:
            f.write(b'<qti-assessment-item xmlns="%s">' % QTI3.encode())
            f.truncate(100 * 1024 * 1024)
        p = import_(self.db, big)
        self.assertRefused(p, "file too large (104857600 bytes")
        # All of them at once, as a folder: still nothing.
        p = import_(self.db, self.path("h"))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(counts(self.db), (0, 0, 0, 0))

    def test_symbolic_links_out_of_a_folder_or_package_are_refused(self):
        outside = write(self.path("outside", "x.xml"), mc3("outside"))
        d = self.path("bank")
        write(os.path.join(d, "ok.xml"), mc3("ok"))
        os.symlink(outside, os.path.join(d, "link.xml"))
        p = import_(self.db, d)
        self.assertRefused(p, "link.xml: leads outside")
        # an image that is a link out of the folder
        d2 = self.path("bank2")
        write(os.path.join(d2, "pic.xml"), mc3(
            "pic", stem='<img src="i.png" alt=""/>'))
        write(self.path("outside", "i.png"), png_bytes())
        os.symlink(self.path("outside", "i.png"), os.path.join(d2, "i.png"))
        p = import_(self.db, d2)
        self.assertRefused(p, "image i.png leads outside")
        # a package resource that is a link out of the package
        d3 = self.path("pkg")
        os.makedirs(d3)
        os.symlink(outside, os.path.join(d3, "item.xml"))
        write(os.path.join(d3, "imsmanifest.xml"),
              '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
              'identifier="m"><organizations/><resources><resource '
              'identifier="r1" type="imsqti_item_xmlv3p0" href="item.xml">'
              '<file href="item.xml"/></resource></resources></manifest>')
        p = import_(self.db, d3)
        self.assertRefused(p, "leads outside the package")
        self.assertEqual(counts(self.db), (0, 0, 0, 0))

    def test_images_must_be_images(self):
        d = self.path("img")
        write(os.path.join(d, "pic.xml"), mc3(
            "pic", stem='<img src="evil.png" alt=""/>'))
        write(os.path.join(d, "evil.png"), "<svg onload='x'/>")
        p = import_(self.db, d)
        self.assertRefused(p, "not a PNG, JPEG, GIF or WebP image")
        write(os.path.join(d, "evil.png"), b"\xff\xd8\xff\xe0jpeg")
        p = import_(self.db, d)
        self.assertRefused(p, "its content and its extension must agree")
        self.assertEqual(counts(self.db), (0, 0, 0, 0))


class TestVersions(Tmp):
    def test_changed_content_is_a_new_version_and_used_versions_stay(self):
        d = self.path("v")
        f = write(os.path.join(d, "i.xml"), mc3("item-v", stem="First"))
        p = import_(self.db, f)
        self.assertIn("items 1 new", p.stdout)
        p = import_(self.db, f)
        self.assertIn("0 new version, 1 unchanged", p.stdout)
        v1 = query(self.db, "SELECT * FROM items")[0]
        sqlite3.connect(self.db).execute(
            "UPDATE items SET used = 1").connection.commit()
        write(f, mc3("  item-v ", stem="Second"))   # identifier is trimmed
        p = import_(self.db, f)
        self.assertIn("items 0 new, 1 new version", p.stdout)
        rows = query(self.db, "SELECT * FROM items ORDER BY version")
        self.assertEqual([r["version"] for r in rows], [1, 2])
        self.assertEqual(rows[0], dict(v1, used=1))
        self.assertIn("Second", rows[1]["stem_html"])
        # the old content again: the version that has it, no third one
        write(f, mc3("item-v", stem="First"))
        p = import_(self.db, f)
        self.assertIn("1 unchanged", p.stdout)
        self.assertEqual(counts(self.db)[0], 2)

    def test_forms_are_replaced_until_an_attempt_uses_them(self):
        d = self.path("f")
        write(os.path.join(d, "a.xml"), mc3("fa"))
        write(os.path.join(d, "b.xml"), mc3("fb"))
        write(os.path.join(d, "form.xml"), form3("f1", [("a", "a.xml")]))
        import_(self.db, d, check=True)
        write(os.path.join(d, "form.xml"), form3("f1", [("a", "a.xml"),
                                                        ("b", "b.xml")]))
        p = import_(self.db, d)
        self.assertIn("forms 0 new, 1 replaced", p.stdout)
        self.assertEqual(counts(self.db)[2:], (1, 2))
        sqlite3.connect(self.db).execute(
            "UPDATE forms SET used = 3").connection.commit()
        write(os.path.join(d, "form.xml"), form3("f1", [("b", "b.xml")]))
        p = import_(self.db, d)
        self.assertRefused(p, "form f1 has been used by 3 attempt(s)")
        self.assertEqual(counts(self.db)[2:], (1, 2))


class TestFormErrors(Tmp):
    def test_forms_that_cannot_be_delivered_are_refused(self):
        d = self.path("bad")
        write(os.path.join(d, "mc.xml"), mc3("m1"))
        write(os.path.join(d, "nodomain.xml"), mc3("m2", domain=None))
        write(os.path.join(d, "essay.xml"), essay3("e1"))
        cases = [
            (form3("f-unres", [("x", "missing.xml")]),
             "missing.xml: No such file or directory"),
            (form3("f-essay", [("e", "essay.xml")]),
             "form-f-essay.xml:2: item e (essay.xml) is an essay but its "
             "section is multiple choice"),
            (form3("f-nodom", [("m", "nodomain.xml")]),
             "has no domain (examd:domain), required in multiple-choice"),
            (form3("f-prog", [("m", "mc.xml")], program="XYZ"),
             "XYZ"),
        ]
        for text, want in cases:
            with self.subTest(want):
                name = "form-" + text.split('identifier="')[1].split('"')[0]
                f = write(os.path.join(d, name + ".xml"), text)
                try:
                    self.assertRefused(import_(self.db, f), want)
                finally:
                    os.unlink(f)
        self.assertEqual(counts(self.db), (0, 0, 0, 0))
        # with the good form, the folder imports (the essay too)
        write(os.path.join(d, "form-ok.xml"), form3(
            "ok", [("m", "mc.xml")], [("e", "essay.xml")]))
        os.unlink(os.path.join(d, "nodomain.xml"))
        p = import_(self.db, d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(counts(self.db), (2, 0, 1, 2))


class TestCli(Tmp):
    def test_bad_arguments_exit_2(self):
        for args in (["import"], ["import", "-x", BANK], ["export"],
                     ["export", "dir"], ["export", "--form", "f"],
                     ["export", "--form", "f", "a", "b"]):
            with self.subTest(args):
                p = examctl(*args, db=self.db, check=False)
                self.assertEqual(p.returncode, 2, p.stderr)
        p = examctl("import", BANK, check=False)     # no --db
        self.assertEqual(p.returncode, 2)

    def test_missing_path_exits_1_naming_it(self):
        p = import_(self.db, self.path("nope"))
        self.assertRefused(p, "nope: No such file or directory")


def make_staff(examd):
    """An administrator and a coordinator (identity's examctl); returns
    their password."""
    pw = "correct horse battery staple"
    examctl("association", "add", "MI", "Michigan", db=examd.db)
    examctl("user", "add", "root", "--role", "admin", db=examd.db,
            stdin=pw + "\n")
    examctl("user", "add", "coord", "--role", "coordinator",
            "--association", "MI", db=examd.db, stdin=pw + "\n")
    return pw


def no_keys(test, obj):
    """No field that names an answer key, anywhere in a reply."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            test.assertNotIn(k, ("key", "answer_key", "correct",
                                 "correct_response", "correctResponse"))
            no_keys(test, v)
    elif isinstance(obj, list):
        for v in obj:
            no_keys(test, v)


class TestApi(ExamdTestCase):
    @classmethod
    def prepare(cls, examd):
        d = tempfile.mkdtemp(prefix="examd-bank-pic-")
        write(os.path.join(d, "items", "img", "p.png"), png_bytes())
        write(os.path.join(d, "items", "pic-1.xml"), mc3(
            "pic-1", stem='<img src="img/p.png" alt="a dot"/>'))
        examctl("import", BANK, d, db=examd.db)
        shutil.rmtree(d)
        cls.password = make_staff(examd)

    def token(self, user):
        r = self.examd.api("POST", "/login", {"username": user,
                                              "password": self.password})
        self.assertEqual(r.status, 200, r)
        return r.json["token"]

    def test_exams_need_a_staff_sign_in(self):
        self.assertError(self.examd.api("GET", "/exams"), 401)
        self.assertError(self.examd.api("GET", "/items"), 401)
        self.assertError(self.examd.api("GET", "/assets/1/img/p.png"), 401)

    def test_exams_list_forms_parts_and_tracks(self):
        for user in ("root", "coord"):
            r = self.examd.api("GET", "/exams", token=self.token(user))
            self.assertEqual(r.status, 200, r)
            exams = {e["id"]: e for e in r.json["exams"]}
            self.assertEqual(sorted(exams), ["ecmh-sample-a", "imh-sample-a",
                                             "imh-short"])
            a = exams["imh-sample-a"]
            self.assertEqual(a["program"], "IMH")
            self.assertEqual(a["title"], "IMH written exam, sample form A")
            self.assertEqual([(s["id"], s["kind"], s["time_limit_ms"],
                               s["cut_percent"]) for s in a["sections"]],
                             [("mc", "mc", 5400000, 80),
                              ("essay", "essay", 5400000, 80)])
            self.assertEqual(sorted(a["tracks"]), ["IMHM-C", "IMHM-P",
                                                   "IMHM-RF", "IMHS"])
            no_keys(self, r.json)

    def test_coordinator_cannot_list_items(self):
        r = self.examd.api("GET", "/items", token=self.token("coord"))
        self.assertError(r, 403)

    def test_admin_lists_items_with_filters_and_never_sees_keys(self):
        t = self.token("root")
        r = self.examd.api("GET", "/items?kind=essay", token=t)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["total"], 20)
        r = self.examd.api("GET", "/items?domain=administration&topic=policy"
                           "&limit=2&offset=1", token=t)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["total"] >= 2)
        self.assertLessEqual(len(r.json["items"]), 2)
        for it in r.json["items"]:
            self.assertEqual((it["domain"], it["topic"]),
                             ("administration", "policy"))
        r = self.examd.api("GET", "/items?identifier=imh-mc-001&version=1",
                           token=t)
        self.assertEqual(r.json["total"], 1)
        item = r.json["items"][0]
        no_keys(self, r.json)
        r = self.examd.api("GET", "/items/%d" % item["id"], token=t)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([c["id"] for c in r.json["choices"]],
                         ["ChoiceA", "ChoiceB", "ChoiceC", "ChoiceD"])
        self.assertIn("Bowlby", r.json["stem_html"])
        no_keys(self, r.json)
        self.assertError(self.examd.api("GET", "/items?kind=x", token=t), 400)
        self.assertError(self.examd.api("GET", "/items?limit=0", token=t),
                         400)
        self.assertError(self.examd.api("GET", "/items/99999", token=t), 404)

    def test_item_images_are_served_with_their_type(self):
        t = self.token("root")
        r = self.examd.api("GET", "/items?identifier=pic-1", token=t)
        self.assertEqual(r.json["total"], 1, r)
        iid = r.json["items"][0]["id"]
        self.assertEqual(r.json["items"][0]["assets"][0]["path"],
                         "img/p.png")
        r = self.examd.api("GET", "/assets/%d/img/p.png" % iid, token=t)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "image/png")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertError(self.examd.api("GET", "/assets/%d/img/q.png" % iid,
                                        token=t), 404)
        self.assertError(self.examd.api("GET", "/assets/%d/../p.png" % iid,
                                        token=t), 404)


if __name__ == "__main__":
    main()

"""Failed sign-ins are throttled with growing delays and 429 + Retry-After,
and the right password works again once the delay has passed: nobody can
be locked out for good."""
import time

from harness import ExamdTestCase, main
from identity_fixture import PASSWORD, seed

WRONG = "not the right password"


class StaffThrottle(ExamdTestCase):
    examd_args = ("--throttle-max-delay", "4")

    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd)

    def login(self, name, pw):
        return self.examd.api("POST", "/login",
                              {"username": name, "password": pw})

    def retry_after(self, r):
        self.assertError(r, 429, "too_many_attempts")
        ra = r.header("Retry-After")
        self.assertIsNotNone(ra, r)
        return int(ra)

    def test_delays_grow_and_right_password_works_after(self):
        for _ in range(5):
            self.assertError(self.login("proctor_a", WRONG), 401)
        # The sixth failure starts the delay (1 s) ...
        self.assertError(self.login("proctor_a", WRONG), 401)
        ra = self.retry_after(self.login("proctor_a", PASSWORD))
        self.assertEqual(ra, 1)
        time.sleep(1.1)
        # ... the next one doubles it ...
        self.assertError(self.login("proctor_a", WRONG), 401)
        self.assertEqual(self.retry_after(self.login("proctor_a", WRONG)), 2)
        time.sleep(2.1)
        self.assertError(self.login("proctor_a", WRONG), 401)
        self.assertEqual(self.retry_after(self.login("proctor_a", WRONG)), 4)
        time.sleep(4.1)
        self.assertError(self.login("proctor_a", WRONG), 401)
        # ... up to the cap (4 s here), never more.
        self.assertEqual(self.retry_after(self.login("proctor_a", WRONG)), 4)
        time.sleep(4.1)
        r = self.login("proctor_a", PASSWORD)
        self.assertEqual(r.status, 200, r)
        # Success clears the account's count.
        self.assertError(self.login("proctor_a", WRONG), 401)
        self.assertEqual(self.login("proctor_a", PASSWORD).status, 200)

    def test_other_accounts_are_not_slowed(self):
        for _ in range(6):
            self.login("grader", WRONG)
        self.assertError(self.login("grader", PASSWORD), 429)
        self.assertEqual(self.login("coord_a", PASSWORD).status, 200)

    def test_unknown_users_are_throttled_the_same_way(self):
        for _ in range(6):
            self.assertError(self.login("ghost", WRONG), 401)
        self.retry_after(self.login("ghost", WRONG))


class AddressThrottle(ExamdTestCase):
    examd_args = ("--throttle-max-delay", "3")

    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd)

    def test_guessing_codes_from_one_address_is_throttled(self):
        for i in range(30):
            r = self.examd.api("POST", "/login",
                               {"access_code": "AAAA-BBBB-CCCC-DDDD-%04d" % i})
            self.assertError(r, 401, "invalid_credentials")
        self.examd.api("POST", "/login",
                       {"access_code": "AAAA-BBBB-CCCC-DDDD-EEEE"})
        r = self.examd.api("POST", "/login",
                           {"access_code": self.w.codes["cand_a"]})
        self.assertError(r, 429)
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)
        time.sleep(int(r.header("Retry-After")) + 0.1)
        r = self.examd.api("POST", "/login",
                           {"access_code": self.w.codes["cand_a"]})
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    main()

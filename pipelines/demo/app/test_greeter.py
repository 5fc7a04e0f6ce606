import unittest

from greeter import greet


class GreetTest(unittest.TestCase):
    def test_named(self):
        self.assertEqual(greet("dso"), "Hello, dso!")

    def test_blank_is_world(self):
        self.assertEqual(greet("  "), "Hello, world!")


if __name__ == "__main__":
    unittest.main()

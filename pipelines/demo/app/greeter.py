"""The demo application the reference pipeline builds, scans and ships."""


def greet(name: str) -> str:
    name = name.strip() or "world"
    return f"Hello, {name}!"


if __name__ == "__main__":
    import sys
    print(greet(" ".join(sys.argv[1:])))

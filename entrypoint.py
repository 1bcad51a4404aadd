"""The action container's entry point: everything happens in generator.action."""

from generator.action import main

if __name__ == "__main__":
    main()

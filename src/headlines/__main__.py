from headlines.cli import main

main()

from partnersim.cli import main

raise SystemExit(main())

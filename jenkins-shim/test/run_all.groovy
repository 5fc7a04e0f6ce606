// Entry point of test/run.sh: every test class, a non-zero exit on failure.
File root = new File(args[0])
int failed = StepsTest.run(root)
if (System.getenv('DSOCTL')) failed += EndToEndTest.run(root)
println(failed ? "${failed} FAILED" : 'all passed')
System.exit(failed ? 1 : 0)

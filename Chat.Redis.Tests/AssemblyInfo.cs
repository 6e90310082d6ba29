// Test classes run side by side (each has its own redis-server); the tests of one class run in turn.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]

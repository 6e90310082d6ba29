// Test classes run side by side, each with its own browser; the tests inside one class run one
// after another, sharing that browser (each person in a test gets a fresh browser context).
[assembly: Parallelizable(ParallelScope.Fixtures)]

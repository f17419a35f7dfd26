using Xunit;

// Integration tests drive the machine's one dockerd and one restarts it: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

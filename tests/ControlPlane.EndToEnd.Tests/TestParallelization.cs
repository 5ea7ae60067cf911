// Each test here runs the real programs as processes, and the chaos tests drive hundreds of proxies
// against them: side by side they starve each other of the machine's cores and time out. One at a
// time, each gets the machine it was written for.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

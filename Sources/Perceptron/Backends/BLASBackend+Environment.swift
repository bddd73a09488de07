extension BLASBackend {
    /// Which kernels do the arithmetic: the OpenBLAS build, its core (after
    /// ``OpenBLASKernel/useBestAvailableCore()``, which this calls), its threads, the CPU and its
    /// vector extensions, and Perceptron's own ``VectorUnit``. Read afresh on each access; the
    /// thread count changes with ``setThreadCount(_:)``.
    public static var environment: BLASEnvironment { BLASEnvironment.current() }
}

// Where the time of a training step goes: named regions timed by the thread that runs the step, for `bench`.
//
//   Profile.time("forward", "LayerNorm") { Layers.layernormForward(…) }
//
// Off by default, and then a region costs one branch. When on, a region adds up its wall time, the CPU time of the
// whole process over that interval (every thread: OpenBLAS's, the parallel loops'), so CPU / wall says how many
// cores were busy in it, and the gemm calls made inside it (their FLOPs and their thread-time, from BLAS.profile).
// Regions must not nest, so their wall times add up to the step's. Inside a parallel loop, `threadTime` adds what
// one piece of work took on its own thread: a part of the region around it, reported beside it, never summed.
#if canImport(Glibc)
import Glibc
#endif

public enum Profile {
    public struct Region {
        public var pass: String, name: String
        /// A part of another region, measured as thread-time on the threads of a parallel loop.
        public var isPart: Bool
        public var wall = 0.0, cpu = 0.0, calls = 0
        public var gemmCalls = 0, gemmFlops = 0.0, gemmSeconds = 0.0
    }

    nonisolated(unsafe) public static var enabled = false
    /// Regions in the order they were first seen.
    nonisolated(unsafe) public private(set) static var regions: [Region] = []
    nonisolated(unsafe) private static var index: [String: Int] = [:]
    nonisolated(unsafe) private static var lock = pthread_mutex_t()
    private static let lockReady: Bool = { pthread_mutex_init(&lock, nil); return true }()

    public static func reset() { regions = []; index = [:] }

    @inline(__always)
    public static func time<R>(_ pass: String, _ name: String, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let wall0 = wallClock(), cpu0 = processCPU(), gemm0 = BLAS.profile
        let result = try body()
        let wall = wallClock() - wall0, cpu = processCPU() - cpu0, gemm = BLAS.profile
        add(pass, name, isPart: false) { r in
            r.wall += wall; r.cpu += cpu
            r.gemmCalls += gemm.calls - gemm0.calls
            r.gemmFlops += gemm.flops - gemm0.flops
            r.gemmSeconds += gemm.seconds - gemm0.seconds
        }
        return result
    }

    /// For a piece of work inside a parallel loop: its duration on the calling thread.
    @inline(__always)
    public static func threadTime<R>(_ pass: String, _ name: String, _ body: () throws -> R) rethrows -> R {
        guard enabled else { return try body() }
        let start = wallClock()
        let result = try body()
        let seconds = wallClock() - start
        add(pass, name, isPart: true) { $0.wall += seconds }
        return result
    }

    private static func add(_ pass: String, _ name: String, isPart: Bool, _ update: (inout Region) -> Void) {
        _ = lockReady
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        let key = pass + "\u{1}" + name
        let i: Int
        if let known = index[key] { i = known } else {
            i = regions.count
            index[key] = i
            regions.append(Region(pass: pass, name: name, isPart: isPart))
        }
        update(&regions[i])
        regions[i].calls += 1
    }

    /// Seconds on the monotonic clock.
    public static func wallClock() -> Double { clock(CLOCK_MONOTONIC) }
    /// CPU seconds used so far by every thread of this process (user + system).
    public static func processCPU() -> Double { clock(CLOCK_PROCESS_CPUTIME_ID) }

    private static func clock(_ id: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(id, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

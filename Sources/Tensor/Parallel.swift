// The project's one source of parallelism. Loops whose iterations write disjoint memory run on `Parallel.threads`
// cores, and so do large matrix products (GEMM.swift), cut into blocks. OpenBLAS itself runs single-threaded.
//
// Why not let OpenBLAS thread its own products: it divides a product differently for each thread count, and its
// kernels round an element differently depending on where it falls in their tiles, so results changed with the
// thread count. Its idle worker also spins (yielding) while our own loops run, taking turns with them on the same
// cores: attention, which runs single-threaded BLAS inside parallel tasks, went at half speed. Fixed blocks on one
// pool of threads fix both: every product, and so all of training, gives the same bits for any thread count.
import COpenBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

public enum Parallel {
    /// Cores to use: OpenBLAS's own default when first asked (OPENBLAS_NUM_THREADS, else one per core).
    public static var threads: Int {
        get { _ = configured; return chosen }
        set { _ = configured; chosen = max(1, newValue) }
    }
    nonisolated(unsafe) private static var chosen = 1
    /// Reads the thread count and turns OpenBLAS's own threads off, once: before the first product.
    @inline(__always) static func configure() { _ = configured }
    private static let configured: Bool = {
        chosen = max(1, Int(openblas_get_num_threads()))
        openblas_set_num_threads(1)
        return true
    }()

    /// body(i) for i in 0..<count, on up to `threads` cores. Callers give each i disjoint memory to write and a fixed
    /// amount of work, so the result never depends on how many threads there are or which one runs which i.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 { for i in 0..<count { body(i) }; return }
        if workers >= activeCores {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)   // libdispatch balances the load
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: count, by: workers) { body(i) }
            }
        }
    }

    /// `count` elements in chunks of `chunk`, the chunks in parallel: for element-wise loops.
    public static func forEachChunk(_ count: Int, chunk: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        forEach((count + chunk - 1) / chunk) { c in body(c * chunk..<min(count, (c + 1) * chunk)) }
    }

    private static let activeCores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}

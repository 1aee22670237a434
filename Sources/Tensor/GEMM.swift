// Every matrix product in the project goes through here, and from here to OpenBLAS's cblas_sgemm.
// Hand-written Swift loops reach a fraction of BLAS's rate on this machine; BLAS is the one place speed comes from.
import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major.
/// op(A) is A[m×k] (`transposeA == false`) or Aᵀ where A is stored [k×m]; likewise op(B) is B[k×n] or Bᵀ of B[n×k].
/// `lda`, `ldb`, `ldc` are row strides in floats (the stored row length when the matrix is contiguous).
@inline(__always)
public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    // Debian's OpenBLAS takes 32-bit dimensions: refuse, rather than wrap, anything larger.
    precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max)
                 && lda <= Int(Int32.max) && ldb <= Int(Int32.max) && ldc <= Int(Int32.max),
                 "gemm: a dimension exceeds OpenBLAS's 32-bit limit")
    if m == 0 || n == 0 { return }
    Parallel.configure()
    let start = BLAS.profiling ? BLAS.clock() : 0
    let ta = transposeA ? CblasTrans : CblasNoTrans, tb = transposeB ? CblasTrans : CblasNoTrans
    // The plain product: one call. The fast one: blocks of C's rows (or columns, when C is wider than tall), each
    //   C[rows, :] = α · op(A)[rows, :] · op(B) + β · C[rows, :]   (or C[:, cols] = α · op(A) · op(B)[:, cols] + …),
    // one single-threaded call per block, shared among the cores (Parallel.swift says why).
    let byRows = m >= n, length = byRows ? m : n
    let blocks = m * n * k >= BLAS.blockedMinimum && length >= 2 * BLAS.blockLength
        ? (length + BLAS.blockLength - 1) / BLAS.blockLength : 1
    if blocks == 1 {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    } else {
        Parallel.forEach(blocks) { block in
            let first = block * BLAS.blockLength, size = Int32(min(BLAS.blockLength, length - first))
            if byRows {
                cblas_sgemm(CblasRowMajor, ta, tb, size, Int32(n), Int32(k), alpha,
                            a + (transposeA ? first : first * lda), Int32(lda), b, Int32(ldb), beta,
                            c + first * ldc, Int32(ldc))
            } else {
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), size, Int32(k), alpha, a, Int32(lda),
                            b + (transposeB ? first * ldb : first), Int32(ldb), beta, c + first, Int32(ldc))
            }
        }
    }
    if BLAS.profiling { BLAS.record(flops: 2 * Double(m) * Double(n) * Double(k), seconds: BLAS.clock() - start) }
}

/// Tensor form: `c = op(a) · op(b)` (or `c += …` with `accumulate`), where a tensor of rank > 2 is read as a matrix
/// whose rows are all its leading indices (a [B, T, C] activation is a [B·T, C] matrix).
public func matmul(_ a: Tensor, _ b: Tensor, into c: Tensor,
                   transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false) {
    let (aRows, aCols) = asMatrix(a), (bRows, bCols) = asMatrix(b), (cRows, cCols) = asMatrix(c)
    let m = transposeA ? aCols : aRows, k = transposeA ? aRows : aCols
    let kB = transposeB ? bCols : bRows, n = transposeB ? bRows : bCols
    precondition(k == kB && cRows == m && cCols == n,
                 "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "") → \(c.shape) do not agree")
    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
         a: a.pointer, lda: aCols, b: b.pointer, ldb: bCols,
         beta: accumulate ? 1 : 0, c: c.pointer, ldc: cCols)
}

@inline(__always)
private func asMatrix(_ t: Tensor) -> (rows: Int, cols: Int) {
    precondition(t.rank >= 1, "matmul needs tensors of rank 1 or more")
    let cols = t.shape[t.rank - 1]
    return (cols == 0 ? 0 : t.count / cols, cols)
}

public enum BLAS {
    /// Products of at least this many multiply-adds are cut into blocks of `blockLength` rows (or columns) of C.
    /// Smaller ones (attention's, which already run one per core) are one call. A block of 128 rows re-packs the other
    /// operand once more than a whole product would, about 1% of its work at this project's sizes.
    public static let blockedMinimum = 1 << 22, blockLength = 128

    /// When on (benchmarks only), every gemm adds its FLOPs and its duration to `profile`. Calls made from several
    /// threads at once (attention's per-head products) each add their own duration, so the total is thread-time.
    nonisolated(unsafe) public static var profiling = false
    nonisolated(unsafe) public private(set) static var profile = (calls: 0, flops: 0.0, seconds: 0.0)
    nonisolated(unsafe) private static var lock = pthread_mutex_t()
    private static let lockReady: Bool = { pthread_mutex_init(&lock, nil); return true }()

    public static func resetProfile() { _ = lockReady; profile = (0, 0, 0) }

    static func record(flops: Double, seconds: Double) {
        _ = lockReady
        pthread_mutex_lock(&lock)
        profile.calls += 1; profile.flops += flops; profile.seconds += seconds
        pthread_mutex_unlock(&lock)
    }

    @inline(__always) static func clock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// The cores products (and the project's parallel loops) use: `Parallel.threads`. OpenBLAS runs one thread.
    public static var threads: Int {
        get { Parallel.threads }
        set { Parallel.threads = newValue }
    }

    /// The kernel family OpenBLAS chose for this CPU (e.g. "SkylakeX", or "Haswell" when OPENBLAS_CORETYPE forces it).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}

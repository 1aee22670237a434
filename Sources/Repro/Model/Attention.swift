// Causal self-attention, forward beside backward, for every (sequence, head) at once.
//
// The plain meaning (Tests/ModelTests/Reference.swift writes it out in Double): for each sequence b and head h,
//   scores = q kᵀ / sqrt(headDim);  p = softmax over each row of the keys it may see (causal);  y = p v,
// and backward: dv = pᵀ dy,  dp = dy vᵀ,  ds = p ⊙ (dp − rowsum(p ⊙ dp)),  dq = ds k / sqrt(headDim),
// dk = dsᵀ q / sqrt(headDim).
//
// The fast form skips what the causal mask hides. Queries go in blocks of `attentionBlock` rows, and block
// [i0, i1) meets only the keys it may see: the rectangle left of the diagonal and the triangle inside the block,
// whose hidden upper half is set to exactly 0 after the softmax. With 256 positions and blocks of 64 the products
// cover 10/16 of the square instead of all of it. Backward does the same: dp and dq by query blocks, dv and dk by
// key blocks (key block [j0, j1) is seen only by queries j0 ..< T). Nothing outside those blocks is written or read.
import Tensor

extension Layers {
    /// Rows per query block. Smaller blocks skip more of the hidden triangle but make smaller, slower products.
    static let attentionBlock = 64

    /// Each (sequence, head) pair is an independent task for attention, forward and backward, and the cores share
    /// the tasks: each product in them is too small to be worth dividing (gemm runs it as one call). Each task writes
    /// only its own memory.
    static func forEachSequenceAndHead(batch: Int, heads: Int, _ body: (_ b: Int, _ h: Int) -> Void) {
        Parallel.forEach(batch * heads) { bh in body(bh / heads, bh % heads) }
    }

    /// y[b, t, h·headDim ..< (h+1)·headDim] = softmax(q kᵀ / sqrt(headDim), causal) · v for each sequence and head.
    /// Queries are the last `queries` of `keys` positions: query i may look at keys 0 ... keys − queries + i. In training
    /// queries == keys; with a KV cache the keys include earlier tokens. `att` keeps the probabilities [B, H, Tq, Tk]
    /// (only the blocks described above are written; backward reads no others).
    ///
    /// Padding: sequences are right-padded, so every pad position comes after all real tokens, and the causal mask
    /// already keeps real tokens from attending to them. No separate padding mask is needed.
    static func attentionForward(y: FloatPointer, att: FloatPointer, q: HeadMatrices, k: HeadMatrices,
                                 v: HeadMatrices, batch: Int, heads: Int, queries: Int, keys: Int, headDim: Int,
                                 block: Int = attentionBlock) {
        let width = heads * headDim
        let scale = 1 / Float(headDim).squareRoot()
        forEachSequenceAndHead(batch: batch, heads: heads) { b, h in
            let p = att + (b * heads + h) * queries * keys
            for i0 in stride(from: 0, to: queries, by: block) {
                let i1 = min(i0 + block, queries), seen = keys - queries + i1   // keys visible to the block's last row
                let pBlock = p + i0 * keys
                gemm(transposeA: false, transposeB: true, m: i1 - i0, n: seen, k: headDim, alpha: scale,
                     a: q.at(b, h) + i0 * q.rowStride, lda: q.rowStride, b: k.at(b, h), ldb: k.rowStride,
                     c: pBlock, ldc: keys)
                Profile.threadTime("forward", "softmax (inside attention)") {
                    for i in i0..<i1 {
                        let row = p + i * keys, visible = keys - queries + i + 1
                        softmax(row, count: visible)
                        (row + visible).update(repeating: 0, count: seen - visible)   // hidden: exactly 0
                    }
                }
                gemm(transposeA: false, transposeB: false, m: i1 - i0, n: headDim, k: seen,
                     a: pBlock, lda: keys, b: v.at(b, h), ldb: v.rowStride,
                     c: y + (b * queries + i0) * width + h * headDim, ldc: width)
            }
        }
    }

    /// Training only (queries == keys == length), with the `block` the forward pass used. From dy [B, T, d] writes
    /// dq, dk, dv (overwritten, in their fused slots of dqkv) — gradients with respect to the *rotated* q and k;
    /// RotaryTable.backward then un-rotates them. `datt` is scratch of the size of `att`.
    static func attentionBackward(dq: HeadMatrices, dk: HeadMatrices, dv: HeadMatrices, datt: FloatPointer,
                                  dy: UnsafePointer<Float>, att: UnsafePointer<Float>,
                                  q: HeadMatrices, k: HeadMatrices, v: HeadMatrices,
                                  batch: Int, heads: Int, length: Int, headDim: Int, block: Int = attentionBlock) {
        let width = heads * headDim, T = length
        let scale = 1 / Float(headDim).squareRoot()
        forEachSequenceAndHead(batch: batch, heads: heads) { b, h in
            let dyBH = dy + b * T * width + h * headDim
            let p = att + (b * heads + h) * T * T, ds = datt + (b * heads + h) * T * T
            for i0 in stride(from: 0, to: T, by: block) {          // query blocks: dp → ds → dq
                let i1 = min(i0 + block, T)
                // y = p · v  ⇒  dp = dy · vᵀ
                gemm(transposeA: false, transposeB: true, m: i1 - i0, n: i1, k: headDim,
                     a: dyBH + i0 * width, lda: width, b: v.at(b, h), ldb: v.rowStride, c: ds + i0 * T, ldc: T)
                // Softmax backward per row, in place: ds_j = p_j (dp_j − Σ_k p_k dp_k); hidden entries have p = 0.
                Profile.threadTime("backward", "softmax (inside attention)") {
                    for i in i0..<i1 {
                        let pRow = p + i * T, dRow = ds + i * T, visible = i + 1
                        let pd = Kernels.dot(pRow, dRow, count: visible)
                        for j in 0..<visible { dRow[j] = pRow[j] * (dRow[j] - pd) }
                        (dRow + visible).update(repeating: 0, count: i1 - visible)
                    }
                }
                // scores = scale · q kᵀ  ⇒  dq = scale · ds · k
                gemm(transposeA: false, transposeB: false, m: i1 - i0, n: headDim, k: i1, alpha: scale,
                     a: ds + i0 * T, lda: T, b: k.at(b, h), ldb: k.rowStride,
                     c: dq.at(b, h) + i0 * dq.rowStride, ldc: dq.rowStride)
            }
            for j0 in stride(from: 0, to: T, by: block) {          // key blocks: dv = pᵀ · dy, dk = scale · dsᵀ · q
                let j1 = min(j0 + block, T)
                gemm(transposeA: true, transposeB: false, m: j1 - j0, n: headDim, k: T - j0,
                     a: p + j0 * T + j0, lda: T, b: dyBH + j0 * width, ldb: width,
                     c: dv.at(b, h) + j0 * dv.rowStride, ldc: dv.rowStride)
                gemm(transposeA: true, transposeB: false, m: j1 - j0, n: headDim, k: T - j0, alpha: scale,
                     a: ds + j0 * T + j0, lda: T, b: q.at(b, h) + j0 * q.rowStride, ldb: q.rowStride,
                     c: dk.at(b, h) + j0 * dk.rowStride, ldc: dk.rowStride)
            }
        }
    }

    /// In place, one row: e^(x − max) / Σ e^(x − max), Kernels.softmax's meaning with cross-entropy's vectorised
    /// exponentials (`exponentiate`: glibc's expf is a call per element, which the compiler cannot vectorise).
    static func softmax(_ x: FloatPointer, count: Int) {
        let inverse = 1 / exponentiate(x, minus: Kernels.max(x, count: count), count: count)
        for i in 0..<count { x[i] *= inverse }
    }
}

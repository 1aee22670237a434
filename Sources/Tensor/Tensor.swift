// A tensor here is a *view*: a shape and an offset into a shared block of fp32 memory.
//
// As in llm.c, a model owns one big block for its parameters (and one each for gradients and optimizer moments) and
// carves it into named tensors. Views make that carving free, and make "all parameters" a single contiguous loop for
// the optimizer, the gradient norm and checkpointing. Tensors are always contiguous, row-major (last index fastest).

/// An owned, 64-byte aligned block of floats, zero-initialised. Freed when the last tensor viewing it goes away.
public final class FloatBuffer: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer: negative size \(count)")
        self.count = count
        // 64-byte alignment keeps AVX-512 loads aligned and rows of BLAS operands on cache-line boundaries.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }
}

public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let buffer: FloatBuffer
    public let offset: Int
    public let count: Int

    /// A new zero tensor with its own memory.
    public init(zeros shape: [Int]) {
        let n = Tensor.elementCount(shape)
        self.init(viewing: FloatBuffer(count: n), offset: 0, shape: shape)
    }

    /// A tensor with its own memory, filled from `values` (row-major).
    public init(shape: [Int], values: [Float]) {
        precondition(Tensor.elementCount(shape) == values.count,
                     "Tensor(shape: \(shape)) needs \(Tensor.elementCount(shape)) values, got \(values.count)")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A view of `shape` starting `offset` floats into `buffer`.
    public init(viewing buffer: FloatBuffer, offset: Int, shape: [Int]) {
        let n = Tensor.elementCount(shape)
        precondition(offset >= 0 && offset + n <= buffer.count,
                     "Tensor view \(shape) at offset \(offset) overruns a buffer of \(buffer.count) floats")
        self.buffer = buffer
        self.offset = offset
        self.shape = shape
        self.count = n
    }

    public static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1) { precondition($1 >= 0, "negative dimension in \(shape)"); return $0 * $1 }
    }

    public var rank: Int { shape.count }
    public var pointer: UnsafeMutablePointer<Float> { buffer.base + offset }

    /// The same memory seen with another shape of the same size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(Tensor.elementCount(newShape) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(viewing: buffer, offset: offset, shape: newShape)
    }

    /// A copy of the values, row-major. For tests, printing and writing files; never for inner loops.
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// Carves one buffer into consecutive named tensors: the llm.c way of laying out parameters.
public struct TensorLayout {
    public private(set) var entries: [(name: String, shape: [Int], offset: Int)] = []
    public private(set) var totalCount = 0

    public init() {}

    public mutating func append(_ name: String, _ shape: [Int]) {
        entries.append((name, shape, totalCount))
        totalCount += Tensor.elementCount(shape)
    }

    /// Named views of `buffer`, in layout order.
    public func views(of buffer: FloatBuffer) -> [(name: String, tensor: Tensor)] {
        precondition(buffer.count >= totalCount, "buffer of \(buffer.count) floats is smaller than the layout's \(totalCount)")
        return entries.map { ($0.name, Tensor(viewing: buffer, offset: $0.offset, shape: $0.shape)) }
    }
}

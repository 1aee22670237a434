// safetensors: the checkpoint format of Hugging Face models, read and written without any Python.
//
// Layout: 8 bytes little-endian header length N, then N bytes of JSON, then the raw tensor bytes. The JSON maps each
// tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the end of the header) and may
// hold a "__metadata__" object of string → string. We write F32; we read F32, F16 and BF16 into fp32.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensor

public struct SafetensorsError: Error, CustomStringConvertible {
    public var file: String
    public var problem: String
    public var description: String { "\(file): \(problem)" }
}

public enum SafetensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"
    public var byteCount: Int { self == .f32 ? 4 : 2 }
}

public struct SafetensorsEntry: Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range relative to the start of the data section.
    public let begin: Int, end: Int
    public var elementCount: Int { shape.reduce(1, *) }
}

/// An open safetensors file: the header is parsed and checked; tensors are read on demand, straight into their
/// final memory (a multi-GB checkpoint never needs a second full copy).
public final class SafetensorsFile {
    public let path: String
    public let entries: [SafetensorsEntry]          // in data-offset order
    public let metadata: [String: String]
    let dataStart: Int
    let fd: Int32
    private let index: [String: Int]

    /// A header larger than this is refused before anything is allocated for it (the reference library's limit).
    public static let maxHeaderBytes = 100_000_000

    public init(path: String) throws {
        func bad(_ problem: String) -> SafetensorsError { SafetensorsError(file: path, problem: problem) }
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw bad("cannot open: \(String(cString: strerror(errno)))") }
        var ok = false
        defer { if !ok { close(fd) } }

        let fileSize = try FileIO.size(path)
        guard fileSize >= 8 else { throw bad("file is \(fileSize) bytes, too short for the 8-byte header length (truncated?)") }
        var lengthBytes = [UInt8](repeating: 0, count: 8)
        try lengthBytes.withUnsafeMutableBytes { try FileIO.readFully(fd, into: $0.baseAddress!, count: 8, at: 0, path: path) }
        let headerLength = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(fileSize - 8) else {
            throw bad("header length \(headerLength) runs past the end of the \(fileSize)-byte file (truncated or not safetensors?)")
        }
        guard headerLength <= UInt64(SafetensorsFile.maxHeaderBytes) else { throw bad("header length \(headerLength) exceeds the \(SafetensorsFile.maxHeaderBytes)-byte limit") }
        let n = Int(headerLength)
        var headerBytes = [UInt8](repeating: 0, count: n)
        try headerBytes.withUnsafeMutableBytes { try FileIO.readFully(fd, into: $0.baseAddress!, count: n, at: 8, path: path) }
        let dataStart = 8 + n
        let dataLength = fileSize - dataStart

        let header: JSON
        do { header = try JSON.parse(headerBytes, file: path) } catch { throw bad("malformed JSON header: \(error.message) at byte \(error.byteOffset + 8)") }
        guard let object = header.object else { throw bad("header is not a JSON object") }

        var entries: [SafetensorsEntry] = []
        var metadata: [String: String] = [:]
        for (name, value) in object.pairs {
            if name == "__metadata__" {
                guard let m = value.object else { throw bad("__metadata__ is not an object") }
                for (k, v) in m.pairs {
                    guard let s = v.string else { throw bad("__metadata__[\"\(k)\"] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value.object else { throw bad("tensor \"\(name)\": entry is not an object") }
            guard let dtypeName = info["dtype"]?.string else { throw bad("tensor \"\(name)\": missing dtype") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw bad("tensor \"\(name)\": unsupported dtype \(dtypeName) (F32, F16 and BF16 are read)")
            }
            guard let shapeJSON = info["shape"]?.array else { throw bad("tensor \"\(name)\": missing shape") }
            var shape: [Int] = []
            var elements = 1
            for d in shapeJSON {
                guard let v = d.int, v >= 0 else { throw bad("tensor \"\(name)\": shape \(shapeJSON.map { $0.serialized() }) is not a list of non-negative integers") }
                let (product, overflow) = elements.multipliedReportingOverflow(by: v)
                guard !overflow, product <= dataLength else { throw bad("tensor \"\(name)\": shape \(shape + [v]) is larger than the file") }
                elements = product
                shape.append(v)
            }
            guard let offsets = info["data_offsets"]?.array, offsets.count == 2,
                  let begin = offsets[0].int, let end = offsets[1].int else {
                throw bad("tensor \"\(name)\": data_offsets must be two integers")
            }
            guard 0 <= begin, begin <= end, end <= dataLength else {
                throw bad("tensor \"\(name)\": data_offsets [\(begin), \(end)] lie outside the \(dataLength)-byte data section")
            }
            guard end - begin == elements * dtype.byteCount else {
                throw bad("tensor \"\(name)\": data_offsets span \(end - begin) bytes but shape \(shape) of \(dtypeName) needs \(elements * dtype.byteCount)")
            }
            entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw bad("tensors \"\(previous.name)\" and \"\(next.name)\" overlap in the data section")
        }
        self.fd = fd
        self.dataStart = dataStart
        self.entries = entries
        self.metadata = metadata
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() { index[e.name] = i }
        self.index = index
        ok = true
    }

    deinit { close(fd) }

    public var names: [String] { entries.map(\.name) }
    public func entry(_ name: String) -> SafetensorsEntry? { index[name].map { entries[$0] } }

    /// Read tensor `name` into `destination` (exactly its element count), converting to fp32.
    public func read(_ name: String, into destination: UnsafeMutablePointer<Float>, count: Int) throws {
        guard let e = entry(name) else { throw SafetensorsError(file: path, problem: "no tensor named \"\(name)\"") }
        guard e.elementCount == count else {
            throw SafetensorsError(file: path, problem: "tensor \"\(name)\" has \(e.elementCount) elements (shape \(e.shape)), expected \(count)")
        }
        let offset = dataStart + e.begin
        switch e.dtype {
        case .f32:
            try FileIO.readFully(fd, into: destination, count: count * 4, at: offset, path: path)
            #if _endian(big)
            for i in 0..<count { destination[i] = Float(bitPattern: UInt32(littleEndian: destination[i].bitPattern)) }
            #endif
        case .f16, .bf16:
            // Convert in chunks through a small staging buffer.
            let chunk = 1 << 20
            var staging = [UInt16](repeating: 0, count: min(chunk, max(count, 1)))
            var done = 0
            while done < count {
                let n = min(chunk, count - done)
                try staging.withUnsafeMutableBytes { try FileIO.readFully(fd, into: $0.baseAddress!, count: n * 2, at: offset + done * 2, path: path) }
                if e.dtype == .f16 {
                    for i in 0..<n { destination[done + i] = halfToFloat(UInt16(littleEndian: staging[i])) }
                } else {
                    for i in 0..<n { destination[done + i] = Float(bitPattern: UInt32(UInt16(littleEndian: staging[i])) << 16) }
                }
                done += n
            }
        }
    }

    /// Read tensor `name` into a new fp32 tensor of its stored shape.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entry(name) else { throw SafetensorsError(file: path, problem: "no tensor named \"\(name)\"") }
        let t = Tensor(zeros: e.shape)
        try read(name, into: t.pointer, count: t.count)
        return t
    }
}

/// IEEE 754 binary16 → binary32, by bits (subnormals, infinities and NaN included).
@inline(__always)
public func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int((h >> 10) & 0x1F)
    var mantissa = UInt32(h & 0x03FF)
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }   // inf / NaN
    if exponent == 0 {
        if mantissa == 0 { return Float(bitPattern: sign) }                                   // ±0
        // Subnormal half: normalise it.
        var e = -1
        repeat { e += 1; mantissa <<= 1 } while mantissa & 0x0400 == 0
        mantissa &= 0x03FF
        return Float(bitPattern: sign | UInt32(127 - 15 - e) << 23 | (mantissa << 13))
    }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
}

public enum Safetensors {
    /// Write F32 tensors, in the given order, with optional string metadata, atomically.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws {
        var header = JSONObject()
        if !metadata.isEmpty {
            header["__metadata__"] = .object(JSONObject(metadata.sorted { $0.key < $1.key }.map { ($0.key, JSON.string($0.value)) }))
        }
        var offset = 0
        var seen = Set<String>()
        for (name, t) in tensors {
            precondition(name != "__metadata__" && seen.insert(name).inserted, "safetensors: duplicate or reserved name \(name)")
            let bytes = t.count * 4
            header[name] = JSON(["dtype": "F32", "shape": .array(t.shape.map { JSON.number(Double($0)) }),
                                 "data_offsets": [JSON.number(Double(offset)), JSON.number(Double(offset + bytes))]])
            offset += bytes
        }
        var headerBytes = Array(JSON.object(header).serialized().utf8)
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        let length = UInt64(headerBytes.count)
        let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        try FileIO.writeAtomically(path) { write in
            try lengthBytes.withUnsafeBytes { try write($0) }
            try headerBytes.withUnsafeBytes { try write($0) }
            for (_, t) in tensors {
                #if _endian(big)
                let le = t.values.map { $0.bitPattern.littleEndian }
                try le.withUnsafeBytes { try write($0) }
                #else
                try write(UnsafeRawBufferPointer(start: t.pointer, count: t.count * 4))
                #endif
            }
        }
    }
}

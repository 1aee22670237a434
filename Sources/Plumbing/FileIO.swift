// Plain POSIX file access: whole-file reads, positioned reads into float memory, and atomic writes.
//
// Atomic means: write a temporary file beside the target, flush it to disk, then rename(2) it over the target.
// A reader (or a crash at any moment) sees either the old file or the new one, never half of one.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileError: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public init(path: String, problem: String) { self.path = path; self.problem = problem }
    public var description: String { "\(path): \(problem)" }
}

public enum FileIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func size(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileError(path: path, problem: "cannot stat: \(errnoText())") }
        return Int(st.st_size)
    }

    /// The whole file as bytes.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileError(path: path, problem: "cannot open: \(errnoText())") }
        defer { close(fd) }
        let n = try size(path)
        var bytes = [UInt8](repeating: 0, count: n)
        try bytes.withUnsafeMutableBytes { try readFully(fd, into: $0.baseAddress!, count: n, at: 0, path: path) }
        return bytes
    }

    /// The whole file as UTF-8 text, a leading byte-order mark skipped (TextFile's rule, for a file taken whole);
    /// bytes that are not UTF-8 are an error naming the line and the byte.
    public static func readUTF8(_ path: String) throws -> String {
        var bytes = try read(path)
        if TextFile.startsWithByteOrderMark(bytes) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let bad = TextFile.firstInvalidByte(bytes, from: 0, to: bytes.count)
            let line = 1 + bytes[..<bad].filter { $0 == 0x0A }.count
            throw FileError(path: path, problem: "not valid UTF-8 at byte \(bad) (line \(line))")
        }
        return text
    }

    /// Read exactly `count` bytes at `offset`, or fail naming the file and where it ended.
    public static func readFully(_ fd: Int32, into destination: UnsafeMutableRawPointer, count: Int, at offset: Int,
                                 path: String) throws {
        var done = 0
        while done < count {
            let got = pread(fd, destination + done, min(count - done, 1 << 30), off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, problem: "read failed at byte \(offset + done): \(errnoText())")
            }
            if got == 0 { throw FileError(path: path, problem: "file ends at byte \(offset + done), expected \(count - done) more bytes (truncated?)") }
            done += got
        }
    }

    /// Create a directory and its parents (mkdir -p).
    public static func makeDirectories(_ path: String) throws {
        if path.isEmpty || isDirectory(path) { return }
        let parent = dirname(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw FileError(path: path, problem: "cannot create directory: \(errnoText())")
        }
    }

    /// Fail now, naming the folder, when no file can be created in `directory` (read-only, not ours, a read-only
    /// mount), rather than after the work that was to be written there.
    public static func checkWritable(_ directory: String) throws {
        let probe = directory + "/.write-check-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw FileError(path: directory, problem: "cannot write here: \(errnoText())") }
        close(fd)
        unlink(probe)
    }

    public static func dirname(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Write the bytes that `produce` hands to `write` into `path` atomically (temp file, fsync, rename).
    public static func writeAtomically(_ path: String,
                                       _ produce: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try makeDirectories(dirname(of: path))
        let temporary = "\(path).partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileError(path: temporary, problem: "cannot create: \(errnoText())") }
        var ok = false
        defer {
            if !ok { close(fd); unlink(temporary) }
        }
        try produce { chunk in
            var done = 0
            while done < chunk.count {
                let n = Glibc.write(fd, chunk.baseAddress! + done, chunk.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError(path: path, problem: "write failed: \(errnoText())")
                }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw FileError(path: path, problem: "fsync failed: \(errnoText())") }
        close(fd)
        ok = true
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FileError(path: path, problem: "rename failed: \(errnoText())")
        }
    }

    public static func writeAtomically(_ path: String, bytes: [UInt8]) throws {
        try writeAtomically(path) { write in try bytes.withUnsafeBytes { try write($0) } }
    }

    public static func writeAtomically(_ path: String, text: String) throws {
        try writeAtomically(path, bytes: Array(text.utf8))
    }
}

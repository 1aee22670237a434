// One run per folder: an exclusive flock(2) on `<folder>/.lock`, taken before a run touches the folder and held
// until the process ends. A second process that asks for a held folder is refused at once, with the holder's pid
// and command line (written into the lock file by the holder). The kernel drops a flock when its process dies, however
// it dies, so a lock left by a killed run never blocks: the file stays, the lock does not. The file is never
// deleted (a run that deleted it could let two later runs lock two different files); a run that ends normally
// empties it, so two finished folders stay byte-identical.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder another process holds.
public struct FolderBusy: Error, CustomStringConvertible {
    public var directory: String
    /// What the holder wrote into the lock file ("pid 1234 ch04-training --seed 2"), when it had written it.
    public var holder: String?

    public init(directory: String, holder: String?) { self.directory = directory; self.holder = holder }

    public var description: String {
        let line = holder.map { String($0.split(separator: "\n").first ?? "") } ?? ""
        let who = line.isEmpty ? "its pid not yet written" : line
        return "\(directory) is in use by another run (\(who)): one run per folder. Wait for it to end, or give this run another --out."
    }
}

/// The lock of one folder, held by this process until it ends. Taking a folder this process already holds returns
/// the same lock: a process is one run, however many times it asks.
public final class FolderLock {
    public static let fileName = ".lock"

    public let directory: String
    let descriptor: Int32
    /// The lock file's device and inode: the same file however the folder is spelled.
    let file: FileID

    struct FileID: Hashable { var device: UInt64, inode: UInt64 }

    nonisolated(unsafe) private static var held: [FileID: FolderLock] = [:]
    nonisolated(unsafe) private static var emptiesAtExit = false

    /// Take `directory` (created if missing) for this process, writing `holder` (a command line, say) beside the pid
    /// for a refused run to show. Throws `FolderBusy` when another process holds it.
    public static func take(_ directory: String, holder: String) throws -> FolderLock {
        try FileIO.makeDirectories(directory)
        let path = directory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, problem: "cannot create the lock file: \(FileIO.errnoText())") }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw FileError(path: path, problem: "cannot stat: \(FileIO.errnoText())") }
        let file = FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        if let lock = held[file] { close(fd); return lock }
        let lock = try FolderLock(directory: directory, path: path, descriptor: fd, file: file, holder: holder)
        held[file] = lock
        if !emptiesAtExit {
            emptiesAtExit = true
            atexit { FolderLock.emptyAll() }
        }
        return lock
    }

    private init(directory: String, path: String, descriptor fd: Int32, file: FileID, holder: String) throws {
        self.directory = directory
        self.file = file
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            let reason = FileIO.errnoText()
            close(fd)
            guard busy else { throw FileError(path: path, problem: "cannot lock: \(reason)") }
            throw FolderBusy(directory: directory, holder: FolderLock.holder(of: path))
        }
        descriptor = fd
        let text = Array("pid \(getpid()) \(holder)\n".utf8)
        guard ftruncate(fd, 0) == 0, text.withUnsafeBytes({ pwrite(fd, $0.baseAddress!, text.count, 0) }) == text.count else {
            let reason = FileIO.errnoText()
            close(fd)
            throw FileError(path: path, problem: "cannot write the lock file: \(reason)")
        }
    }

    /// The holder's line from the lock file; it may not be written yet in the instant after the holder locked it, so
    /// look again for up to half a second.
    static func holder(of path: String) -> String? {
        for _ in 0..<50 {
            if let bytes = try? FileIO.read(path), !bytes.isEmpty { return String(decoding: bytes, as: UTF8.self) }
            usleep(10_000)
        }
        return nil
    }

    /// At a normal exit: empty every lock file this process holds (the kernel then drops the locks).
    static func emptyAll() {
        for lock in held.values { _ = ftruncate(lock.descriptor, 0) }
    }
}

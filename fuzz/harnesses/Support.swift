// What every harness shares: libFuzzer's entry point, a scratch file per process, and the checks on errors.
//
// Each harness file defines `fuzzOne(_ bytes: [UInt8])`. A harness reports a broken property with `violated`, which
// traps, so libFuzzer saves the input as a crash just as it does for an out-of-range index or an overflow.
#if canImport(Glibc)
import Glibc
#endif
import Tensor
import Plumbing

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    fuzzOne(bytes)
    return 0
}

func violated(_ what: String) -> Never {
    fatalError("fuzz property violated: \(what)")
}

/// A per-process scratch directory (in /dev/shm when it exists: no disk traffic at thousands of files a second).
let scratchDirectory: String = {
    let base = FileIO.isDirectory("/dev/shm") ? "/dev/shm" : "/tmp"
    let dir = "\(base)/repro-fuzz-\(getpid())"
    try? FileIO.makeDirectories(dir)
    atexit { _ = system("rm -rf /dev/shm/repro-fuzz-\(getpid()) /tmp/repro-fuzz-\(getpid())") }
    return dir
}()

/// Write `bytes` to a scratch file named `name` (plain write, no fsync: only this process reads it) and return its path.
func scratchFile(_ name: String, _ bytes: [UInt8]) -> String {
    let path = scratchDirectory + "/" + name
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { violated("cannot create \(path)") }
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
        guard n > 0 else { violated("cannot write \(path)") }
        done += n
    }
    close(fd)
    return path
}

/// A loader's error must name the file it could not read.
func expectNamesFile(_ error: Error, _ path: String) {
    let text = String(describing: error)
    if !text.contains(path) { violated("error does not name the file \(path): \(text)") }
}

/// The path of a file of the repository, found from the harness binary's place (fuzz/.build/<harness>) or $REPRO_ROOT.
func repositoryFile(_ relative: String) -> String {
    if let root = getenv("REPRO_ROOT") { return String(cString: root) + "/" + relative }
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { violated("cannot find the harness binary; set REPRO_ROOT") }
    let exe = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return FileIO.dirname(of: FileIO.dirname(of: FileIO.dirname(of: exe))) + "/" + relative
}

extension FloatBuffer {
    /// The bits of every value (NaN payloads included), for exact comparisons.
    var bits: [UInt32] { (0..<count).map { base[$0].bitPattern } }
}

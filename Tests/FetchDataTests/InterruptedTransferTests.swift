import Foundation
import XCTest
import Plumbing
@testable import fetch_data

/// Transfers cut short, run as a user runs the step: the fetch-data executable, its curl, and a mirror whose one file is
/// a named pipe that the test feeds by hand, so it can stop, end early or kill at a moment of its choosing.
final class InterruptedTransferTests: XCTestCase {
    static let size = 300_000
    static let blob = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    static let half = size / 2

    var box: Sandbox!
    var pipePath: String { box.mirror + "/stream/blob.bin" }
    var staged: String { box.data + "/.incoming/stream/blob.bin" }

    override func setUpWithError() throws {
        signal(SIGPIPE, SIG_IGN)
        box = try Sandbox()
        try box.write(box.listPath, """
        [stream]  One file of \(InterruptedTransferTests.size) bytes, fed through a named pipe
        license      CC0, for the tests
        attribution  the tests of fetch-data
        file  blob.bin  \(SHA256.hex(InterruptedTransferTests.blob))  \(InterruptedTransferTests.size)  -  -
        """)
        try FileIO.makeDirectories(box.mirror + "/stream")
        XCTAssertEqual(mkfifo(pipePath, 0o644), 0)
    }

    override func tearDown() { box = nil }

    func testATransferKilledMidwayPlacesNothing() throws {
        let step = try start()
        let writer = try feed(InterruptedTransferTests.half)
        defer { close(writer) }
        XCTAssertTrue(waitUntil { ((try? FileIO.size(self.staged)) ?? 0) > 0 }, "curl wrote nothing to the staging folder")
        let curl = try XCTUnwrap(children(of: step.processIdentifier).first, "no curl under fetch-data")
        kill(curl, SIGKILL)   // the connection drops: curl dies, fetch-data lives on to say so
        step.waitUntilExit()
        let log = output()
        XCTAssertEqual(step.terminationStatus, 1, log)
        XCTAssertTrue(log.contains("curl was ended by signal 9 during the transfer of file://"), log)
        XCTAssertTrue(log.contains("nothing of stream/ was placed"), log)
        XCTAssertFalse(FileIO.exists(box.data + "/stream"))
        XCTAssertFalse(FileIO.exists(box.data + "/.incoming"))
    }

    func testAStepKilledMidwayLeavesOnlyStagingWhichTheNextRunClears() throws {
        let step = try start()
        let writer = try feed(InterruptedTransferTests.half)
        XCTAssertTrue(waitUntil { ((try? FileIO.size(self.staged)) ?? 0) > 0 }, "curl wrote nothing to the staging folder")
        let curl = try XCTUnwrap(children(of: step.processIdentifier).first, "no curl under fetch-data")
        kill(step.processIdentifier, SIGKILL)   // a pulled plug: neither process gets to clean up
        kill(curl, SIGKILL)
        step.waitUntilExit()
        close(writer)
        XCTAssertFalse(FileIO.exists(box.data + "/stream"), "nothing where a chapter reads")
        XCTAssertLessThan(try FileIO.size(staged), InterruptedTransferTests.size, "the half-written file is in staging")

        try FileManager.default.removeItem(atPath: pipePath)
        try FileIO.writeAtomically(pipePath, bytes: InterruptedTransferTests.blob)
        let rerun = try start(mirrorInEnvironment: true)
        rerun.waitUntilExit()
        let log = output()
        XCTAssertEqual(rerun.terminationStatus, 0, log)
        XCTAssertTrue(log.contains("removed \(box.data)/.incoming: the leftovers of a fetch that was interrupted"), log)
        XCTAssertEqual(try FileIO.read(box.data + "/stream/blob.bin"), InterruptedTransferTests.blob)
        XCTAssertFalse(FileIO.exists(box.data + "/.incoming"))
    }

    func testASourceThatEndsEarlyIsRefusedAndNothingIsPlaced() throws {
        let step = try start()
        close(try feed(InterruptedTransferTests.half))   // the sender stops: curl sees a clean end of a short file
        step.waitUntilExit()
        let log = output()
        XCTAssertEqual(step.terminationStatus, 1, log)
        XCTAssertTrue(log.contains("stream/blob.bin from file://\(pipePath) is not the published file: sha256 expected \(SHA256.hex(InterruptedTransferTests.blob)), actual \(SHA256.hex(InterruptedTransferTests.blob.prefix(InterruptedTransferTests.half)))"), log)
        XCTAssertTrue(log.contains("150,000 bytes, the published file has 300,000"), log)
        XCTAssertFalse(FileIO.exists(box.data + "/stream"))
        XCTAssertFalse(FileIO.exists(box.data + "/.incoming"))
    }

    // MARK: - The process, the pipe

    var logPath: String { box.root + "/log.txt" }

    func output() -> String { box.text(logPath) ?? "" }

    /// fetch-data over the test's mirror, given by --mirror or (as the reproduce command passes it) by DATA_MIRROR.
    func start(mirrorInEnvironment: Bool = false) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = ["--sources", box.listPath, "--data-dir", box.data] + (mirrorInEnvironment ? [] : ["--mirror", box.mirror])
        process.currentDirectoryURL = URL(fileURLWithPath: box.root)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.lowercased().hasSuffix("_proxy") }
        environment["DATA_MIRROR"] = mirrorInEnvironment ? box.mirror : nil
        process.environment = environment
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// The built executable: beside the test bundle (`swift test`), else in .build/debug.
    func executable() throws -> String {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
                          SourceListTests.root + "/.build/debug"].map { $0 + "/fetch-data" }
        return try XCTUnwrap(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                             "fetch-data is not built (looked at \(candidates)); run `swift build --build-tests`")
    }

    /// Open the pipe once curl reads it (blocking writes from then on) and send the first `count` bytes of the file.
    func feed(_ count: Int) throws -> Int32 {
        var fd: Int32 = -1
        XCTAssertTrue(waitUntil { fd = open(self.pipePath, O_WRONLY | O_NONBLOCK); return fd >= 0 }, "curl never opened the pipe")
        guard fd >= 0 else { throw FileError(path: pipePath, problem: "not opened") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        try InterruptedTransferTests.blob.withUnsafeBytes { raw in
            var done = 0
            while done < count {
                let n = write(fd, raw.baseAddress! + done, count - done)
                guard n > 0 else { throw FileError(path: pipePath, problem: "write failed: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        return fd
    }

    func children(of pid: Int32) -> [Int32] {
        // /proc files report size 0: read to the end rather than by size.
        let data = FileHandle(forReadingAtPath: "/proc/\(pid)/task/\(pid)/children")?.readDataToEndOfFile() ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Poll `condition` every millisecond for up to 30 s (a generous bound: this waits for processes, it times nothing).
    func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if condition() { return true }
            usleep(1000)
        }
        return condition()
    }
}

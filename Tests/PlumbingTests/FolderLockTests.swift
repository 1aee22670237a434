import Foundation
import XCTest
import Plumbing

/// The folder lock's own rules; OneRunPerFolderTests (RobustnessTests) runs the chapters against it.
final class FolderLockTests: XCTestCase {
    func testTheLockIsTheProcesssAndNamesItsHolder() throws {
        let folder = NSTemporaryDirectory() + "lock-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try FolderLock.take(folder, holder: "test one")
        // Within one process a folder can be taken again (one process is one run); the first holder's line stays.
        XCTAssertTrue(first === (try FolderLock.take(folder, holder: "test two")))
        XCTAssertEqual(String(decoding: try FileIO.read(folder + "/" + FolderLock.fileName), as: UTF8.self), "pid \(getpid()) test one\n")
        // Another process cannot take it while this one holds it.
        let flock = "/usr/bin/flock"
        guard FileManager.default.isExecutableFile(atPath: flock) else { throw XCTSkip("no \(flock) to try from another process") }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: flock)
        probe.arguments = ["--nonblock", "--conflict-exit-code", "3", folder + "/" + FolderLock.fileName, "true"]
        try probe.run()
        probe.waitUntilExit()
        XCTAssertEqual(probe.terminationStatus, 3, "flock(1) took a folder this process holds")
    }

    func testTheRefusalNamesTheHolder() {
        XCTAssertEqual(FolderBusy(directory: "out/04-training", holder: "pid 42 ch04-training --seed 2\n").description,
                       "out/04-training is in use by another run (pid 42 ch04-training --seed 2): one run per folder. Wait for it to end, or give this run another --out.")
        XCTAssertTrue(FolderBusy(directory: "d", holder: nil).description.contains("(its pid not yet written)"))
    }
}

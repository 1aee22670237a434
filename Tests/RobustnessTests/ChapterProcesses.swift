import Foundation
import XCTest
import Repro
import Tensor
import Plumbing
import Book

/// The chapters' executables, run as a user runs them: as processes that can be killed at any moment.
struct Chapters {
    /// The repository (three levels above this file), the working directory of every run.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let dataDirectory = root + "/Tests/Fixtures/data"
    static let chapters: [Chapter] = [.pretraining, .dataRepair, .prompting, .modelConfig, .training]
    static var names: [String] { chapters.map(\.executable) }

    let bin: String

    /// The build's bin directory: the one the test bundle runs from (`swift test`), else `.build/debug`. A chapter
    /// binary that is missing skips the test; one older than its sources fails it (it would test stale code).
    static func locate() throws -> Chapters {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path, root + "/.build/debug"]
        guard let bin = candidates.first(where: { dir in names.allSatisfy { FileManager.default.isExecutableFile(atPath: dir + "/" + $0) } })
        else { throw XCTSkip("the chapter executables are not built (looked in \(candidates)); run `swift build` first") }
        for name in names {
            let built = try modified(bin + "/" + name)
            for source in try sources(of: name) where try modified(source) > built {
                XCTFail("\(bin)/\(name) is older than \(source): run `swift build` before these tests")
            }
        }
        return Chapters(bin: bin)
    }

    static func modified(_ path: String) throws -> Date {
        guard let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date else {
            throw FileError(path: path, problem: "no modification date")
        }
        return date
    }

    static func sources(of chapter: String) throws -> [String] {
        try ["chapters/" + chapter, "Sources/Book", "Sources/Repro", "Sources/Plumbing", "Sources/Tensor"].flatMap { dir in
            try Tree.files(root + "/" + dir).filter { $0.hasSuffix(".swift") }.map { root + "/" + dir + "/" + $0 }
        }
    }

    /// Start `chapter` with `arguments`, its output going to `log`. A `wrapper` command (a shell that sets a limit,
    /// say) runs the chapter as its last argument, followed by the chapter's arguments.
    func start(_ chapter: Chapter, _ arguments: [String], log: String, environment: [String: String] = [:],
               wrapper: [String] = []) throws -> Process {
        let process = Process()
        let executable = bin + "/" + chapter.executable
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? executable)
        process.arguments = wrapper.isEmpty ? arguments : Array(wrapper.dropFirst()) + [executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Chapters.root)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Run `chapter` to the end; a non-zero exit status throws with the end of its output.
    @discardableResult
    func run(_ chapter: Chapter, _ arguments: [String], log: String, environment: [String: String] = [:],
             wrapper: [String] = []) throws -> Int32 {
        let process = try start(chapter, arguments, log: log, environment: environment, wrapper: wrapper)
        process.waitUntilExit()
        return process.terminationStatus
    }

    func runOrFail(_ chapter: Chapter, _ arguments: [String], log: String, environment: [String: String] = [:]) throws {
        let status = try run(chapter, arguments, log: log, environment: environment)
        if status != 0 {
            let output = String(decoding: (try? FileIO.read(log)) ?? [], as: UTF8.self)
            throw FileError(path: log, problem: "\(chapter.executable) \(arguments.joined(separator: " ")) exited with \(status):\n\(output.suffix(2000))")
        }
    }

    /// The arguments every run shares: smoke scale, the repository's data fixtures, artifacts under `out`.
    static func common(out: String, seed: UInt64 = 1234) -> [String] {
        ["--scale", "smoke", "--data-dir", dataDirectory, "--out", out, "--seed", String(seed)]
    }
}

extension Process {
    /// SIGKILL, as an out-of-memory killer or a pulled plug would end it: no handler runs, nothing is flushed.
    /// Returns false when the process had already exited.
    @discardableResult
    func killHard() -> Bool {
        let wasRunning = isRunning
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
        return wasRunning && terminationReason == .uncaughtSignal
    }
}

/// Wrappers that make writing fail as a full disk or a read-only folder does, for the process they start.
enum Limits {
    /// Files may grow to `kilobytes` only; a write beyond fails with EFBIG, as one on a full disk fails with ENOSPC
    /// (SIGXFSZ ignored, so the write returns an error instead of killing the process; gnuplot inherits both).
    static func fileSize(kilobytes: Int) -> [String] {
        ["/bin/bash", "-c", "trap '' XFSZ; ulimit -f \(kilobytes); exec \"$0\" \"$@\""]
    }

    /// Permissions apply: as root, without the capabilities that override them; otherwise nothing is needed.
    static func permissionsApply() throws -> [String] {
        guard getuid() == 0 else { return [] }
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw XCTSkip("running as root without \(setpriv): a read-only folder cannot be made read-only for the chapter")
        }
        return [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    }
}

/// Poll `condition` every 0.2 ms until it holds or `seconds` pass. Returns whether it held.
@discardableResult
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(200)
    }
    return condition()
}

/// Files under a directory, by relative path.
enum Tree {
    static func files(_ directory: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let path = walker.nextObject() as? String {
            if !FileIO.isDirectory(directory + "/" + path) { found.append(path) }
        }
        return found.sorted()
    }

    /// Entries (files and directories) under `directory` whose name has `fragment`, found with readdir: fast
    /// enough to poll while a chapter writes.
    static func contains(_ directory: String, nameWith fragment: String) -> Bool {
        guard let handle = opendir(directory) else { return false }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            if name.contains(fragment) { return true }
            if entry.pointee.d_type == UInt8(DT_DIR), contains(directory + "/" + name, nameWith: fragment) { return true }
        }
        return false
    }

    static func text(_ path: String) throws -> String { String(decoding: try FileIO.read(path), as: UTF8.self) }
}

/// A chapter's manifest, checked whole: it parses, and every output it lists exists with the sha256 it records.
func assertManifestWhole(_ directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let path = directory + "/manifest.json"
    let manifest = try JSON.parse(try FileIO.read(path), file: path)
    let outputs = try XCTUnwrap(manifest["outputs"]?.object, "\(path) has no outputs", file: file, line: line)
    XCTAssertGreaterThan(outputs.count, 0, file: file, line: line)
    for (name, hash) in outputs.pairs {
        XCTAssertEqual(try SHA256.hex(ofFile: directory + "/" + name), hash.string, "\(directory)/\(name)", file: file, line: line)
    }
}

/// A test case with a scratch folder of its own, removed after each test.
class ScratchCase: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "robustness-" + UUID().uuidString
        try FileIO.makeDirectories(scratch)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: scratch) }
}

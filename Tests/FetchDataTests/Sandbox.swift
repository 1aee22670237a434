import Foundation
import XCTest
import Plumbing
@testable import fetch_data

/// A temporary folder with a mirror of small data sets made for these tests, the list of their hashes, and an empty
/// data folder. Nothing of the real data: the files are a few hundred bytes written here.
final class Sandbox {
    let root: String
    var mirror: String { root + "/mirror" }
    var data: String { root + "/data" }
    var listPath: String { root + "/sources.txt" }

    /// The files of each data set, by path under its folder. `instructions` has a first-seen file and a stand-in.
    static let files: [(folder: String, path: String, text: String)] = [
        ("lessons", "records.json", #"[{"q": "하나", "a": "1"}, {"q": "둘", "a": "2"}, {"q": "셋", "a": "3"}]"#),
        ("reviews", "ratings.tsv", "id\tdocument\tlabel\n1\t좋다\t1\n2\t별로\t0\n"),
        ("articles/set", "a.json", #"{"sentences": ["가.", "나."], "summaries": [0]}"#),
        ("articles/set", "b.json", #"{"sentences": ["다."], "summaries": [0]}"#),
        ("articles/set", "LICENSE", "Permission is granted, for these tests only.\n"),
        ("instructions", "full/data.json", #"[{"i": "가"}, {"i": "나"}]"#),
        ("instructions", "partial/data.json", #"[{"i": "가"}]"#),
    ]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-data-tests-" + UUID().uuidString).path
        try FileIO.makeDirectories(data)
        for file in Sandbox.files { try write(mirror + "/" + file.folder + "/" + file.path, file.text) }
        try FileIO.writeAtomically(listPath, text: list())
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ path: String, _ text: String) throws {
        try FileIO.writeAtomically(path, text: text)
    }

    func text(_ path: String) -> String? {
        (try? FileIO.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func sha256(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }

    static func text(_ folder: String, _ path: String) -> String {
        files.first { $0.folder == folder && $0.path == path }!.text
    }

    /// The list, in the format of tools/fetch-data/sources.txt. `source` gives each file's own origin column
    /// (default `-`: only a mirror has it); `pin` replaces first-seen with a hash.
    func list(source: (String, String) -> String = { _, _ in "-" }, pin: String? = nil) -> String {
        func line(_ key: String, _ folder: String, _ path: String, _ records: String, firstSeen: Bool = false) -> String {
            let text = Sandbox.text(folder, path)
            let hash = firstSeen ? (pin ?? "first-seen") : Sandbox.sha256(text)
            return "\(key)  \(path)  \(hash)  \(firstSeen ? "-" : String(text.utf8.count))  \(records)  \(source(folder, path))\n"
        }
        return """
        # The test's own list.
        [lessons]  Lessons: three question-answer records
        license      CC0, for the tests
        attribution  the tests of fetch-data
        \(line("file", "lessons", "records.json", "json-array=3"))
        [reviews]  Reviews: two rated lines
        license      CC0, for the tests
        attribution  the tests of fetch-data
        \(line("file", "reviews", "ratings.tsv", "tsv-rows=2"))
        [articles/set]  Articles: two and their license
        license      MIT, for the tests
        attribution  the tests of fetch-data
        \(line("file", "articles/set", "a.json", "-"))\(line("file", "articles/set", "b.json", "-"))\(line("file", "articles/set", "LICENSE", "-"))
        [instructions]  Instructions: a first-seen file and a stand-in
        license      CC BY-NC 4.0, for the tests
        attribution  the tests of fetch-data
        \(line("file", "instructions", "full/data.json", "json-array=2", firstSeen: true))\(line("stand-in", "instructions", "partial/data.json", "json-array=1"))
        """
    }

    func sets(_ text: String? = nil) throws -> [DataSet] {
        try SourceList.parse(text ?? list(), file: listPath)
    }

    /// Run the step in this process (curl still runs as a subprocess); returns what it said.
    @discardableResult
    func run(mirror: String?, sets: [DataSet]? = nil, environment: [String: String] = [:]) throws -> [String] {
        var said: [String] = []
        let step = DataStep(dataDirectory: data, sets: try sets ?? self.sets(), mirror: try mirror.map { try Mirror($0) },
                            environment: environment, date: "2025-01-01T00:00:00Z", say: { said.append($0) })
        do { try step.run() } catch {
            throw Failure(error: error, said: said)
        }
        return said
    }

    /// The step's error, with what it said before it.
    struct Failure: Error, CustomStringConvertible {
        var error: Error
        var said: [String]
        var description: String { "\(error)\n" + said.joined(separator: "\n") }
    }

    /// Every file under the data folder (relative paths), for "nothing was placed" checks.
    func placedFiles() -> [String] { Surveying.files(under: data) }
}

/// The error `body` throws, as text with what the step said; fails the test when it throws nothing.
func failureText(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        try body()
        XCTFail("expected the step to stop", file: file, line: line)
        return ""
    } catch let failure as Sandbox.Failure {
        return "\(failure.error)"
    } catch {
        return "\(error)"
    }
}

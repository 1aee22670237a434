import Foundation
import XCTest
import Plumbing
@testable import fetch_data

/// The real fetch path (curl, file:// URLs, the staging folder, the rename) over a mirror folder made by the test.
final class FetchTests: XCTestCase {
    func testAGoodMirrorPlacesEverySetWithItsLicenseAndHashes() throws {
        let box = try Sandbox()
        let said = try box.run(mirror: box.mirror)
        for file in Sandbox.files where file.path != "partial/data.json" {
            XCTAssertEqual(box.text(box.data + "/" + file.folder + "/" + file.path), file.text, file.path)
        }
        XCTAssertFalse(FileIO.exists(box.data + "/instructions/partial"), "a stand-in is not taken when the published file is there")
        XCTAssertFalse(FileIO.exists(box.data + "/.incoming"), "the staging folder is gone")
        XCTAssertEqual(box.text(box.data + "/articles/set/SHA256SUMS"),
                       ["a.json", "b.json", "LICENSE"].map { "\(Sandbox.sha256(Sandbox.text("articles/set", $0)))  \($0)\n" }.joined())
        let source = try XCTUnwrap(box.text(box.data + "/articles/set/SOURCE.md"))
        XCTAssertTrue(source.contains("MIT, for the tests") && source.contains("the tests of fetch-data"), source)
        XCTAssertTrue(said.contains("  license: CC BY-NC 4.0, for the tests"), said.joined(separator: "\n"))
        let firstSeen = Sandbox.sha256(Sandbox.text("instructions", "full/data.json"))
        XCTAssertTrue(said.contains { $0.hasPrefix("!!!") && $0.contains("FIRST SEEN") })
        XCTAssertTrue(said.contains("!!!   sha256 \(firstSeen)  (28 bytes, 2 records)"), said.joined(separator: "\n"))  // 가, 나: 3 bytes each in UTF-8
        XCTAssertEqual(box.text(box.data + "/instructions/SHA256SUMS"), "\(firstSeen)  full/data.json\n")

        // Everything is there now: the next run needs neither the mirror nor the network.
        try FileManager.default.removeItem(atPath: box.mirror)
        let again = try box.run(mirror: nil)
        XCTAssertEqual(again.last, "data: all 4 data sets are in \(box.data); nothing to fetch (no network needed)")
        XCTAssertTrue(again.contains("instructions/: placed by fetch-data; 1 file verified against its SHA256SUMS; full/data.json is not pinned (first seen \(firstSeen))"),
                      again.joined(separator: "\n"))
    }

    func testAMirrorGivenAsAFileURLAndCanonicalFileURLsWorkTheSame() throws {
        let box = try Sandbox()
        try box.run(mirror: "file://" + box.mirror + "/", sets: box.sets())
        XCTAssertEqual(box.text(box.data + "/reviews/ratings.tsv"), Sandbox.text("reviews", "ratings.tsv"))

        let other = try Sandbox()
        let sets = try other.sets(other.list(source: { folder, path in "file://\(other.mirror)/\(folder)/\(path)" }))
        try other.run(mirror: nil, sets: sets)
        XCTAssertEqual(other.text(other.data + "/articles/set/b.json"), Sandbox.text("articles/set", "b.json"))
        XCTAssertTrue(other.text(other.data + "/lessons/SOURCE.md")?.contains("from the canonical repositories") == true)
    }

    func testACorruptedFileIsNamedWithBothHashesAndNothingOfItsSetIsPlaced() throws {
        let box = try Sandbox()
        let corrupted = #"{"sentences": ["라."], "summaries": [0]}"#
        try box.write(box.mirror + "/articles/set/b.json", corrupted)
        let message = failureText { try box.run(mirror: box.mirror) }
        XCTAssertTrue(message.contains("articles/set/b.json from file://"), message)
        XCTAssertTrue(message.contains("sha256 expected \(Sandbox.sha256(Sandbox.text("articles/set", "b.json"))), actual \(Sandbox.sha256(corrupted))"), message)
        XCTAssertTrue(message.contains("nothing of articles/set/ was placed"), message)
        XCTAssertFalse(FileIO.exists(box.data + "/articles"), "not even a.json, which was good")
        XCTAssertFalse(FileIO.exists(box.data + "/.incoming"))
        // The other data sets are placed and stay: nothing already written is lost.
        XCTAssertEqual(box.text(box.data + "/reviews/ratings.tsv"), Sandbox.text("reviews", "ratings.tsv"))
        XCTAssertEqual(box.text(box.data + "/instructions/full/data.json"), Sandbox.text("instructions", "full/data.json"))
    }

    func testARecordCountMismatchStopsAFirstSeenFile() throws {
        let box = try Sandbox()
        try box.write(box.mirror + "/instructions/full/data.json", #"[{"i": "가"}, {"i": "나"}, {"i": "다"}]"#)
        let message = failureText { try box.run(mirror: box.mirror) }
        XCTAssertTrue(message.contains("instructions/full/data.json from file://"), message)
        XCTAssertTrue(message.contains("3 records, the published file has 2"), message)
        XCTAssertFalse(FileIO.exists(box.data + "/instructions"))
    }

    func testAFileMissingFromTheMirrorIsNamedAndNothingOfItsSetIsPlaced() throws {
        let box = try Sandbox()
        try FileManager.default.removeItem(atPath: box.mirror + "/articles/set/LICENSE")
        let message = failureText { try box.run(mirror: box.mirror) }
        XCTAssertTrue(message.contains("articles/set/ is not at the mirror file://\(box.mirror)"), message)
        XCTAssertTrue(message.contains("/articles/set/LICENSE"), message)
        XCTAssertTrue(message.contains("Fix the mirror"), message)
        XCTAssertFalse(FileIO.exists(box.data + "/articles"))
        XCTAssertFalse(FileIO.exists(box.data + "/.incoming"))
    }

    func testAStandInIsTakenLoudlyWhenThePublishedFileIsNotFound() throws {
        let box = try Sandbox()
        try FileManager.default.removeItem(atPath: box.mirror + "/instructions/full/data.json")
        let said = try box.run(mirror: box.mirror)
        XCTAssertEqual(box.text(box.data + "/instructions/partial/data.json"), Sandbox.text("instructions", "partial/data.json"))
        XCTAssertFalse(FileIO.exists(box.data + "/instructions/full"))
        XCTAssertTrue(said.contains { $0.hasPrefix("!!! STAND-IN: the published full/data.json was not found") }, said.joined(separator: "\n"))
        XCTAssertTrue(box.text(box.data + "/instructions/SOURCE.md")?.contains("**A stand-in**") == true)
    }

    func testNoNetworkStopsAtOnceNamingWhatIsMissingAndWhatToDo() throws {
        let box = try Sandbox()
        // Port 1 of this machine: connection refused, as a machine without network refuses every connection.
        let sets = try box.sets(box.list(source: { folder, path in "http://127.0.0.1:1/\(folder)/\(path)" }))
        try box.write(box.data + "/lessons/records.json", Sandbox.text("lessons", "records.json"))
        let message = failureText { try box.run(mirror: nil, sets: sets) }
        XCTAssertTrue(message.hasPrefix("no network ("), message)
        XCTAssertTrue(message.contains("Missing in \(box.data): reviews/ratings.tsv, articles/set/ (3 files), instructions/full/data.json."), message)
        XCTAssertTrue(message.contains("DATA_MIRROR=") && message.contains("--data-dir <a folder that holds them>"), message)
        XCTAssertEqual(box.placedFiles(), ["lessons/records.json"], "nothing else was written")

        let proxied = failureText { try box.run(mirror: nil, sets: sets, environment: ["https_proxy": "http://proxy.invalid:3128"]) }
        XCTAssertTrue(proxied.hasPrefix("cannot fetch through the proxy http://proxy.invalid:3128"), proxied)
        let mirrored = failureText { try box.run(mirror: "http://127.0.0.1:1/course-data", sets: sets) }
        XCTAssertTrue(mirrored.hasPrefix("cannot reach the mirror http://127.0.0.1:1/course-data"), mirrored)
    }

    func testYourOwnCopyIsCheckedWarnedAboutAndKept() throws {
        let box = try Sandbox()
        let mine = "id\tdocument\tlabel\n1\t내 것\t1\n"
        try box.write(box.data + "/reviews/ratings.tsv", mine)
        try box.write(box.data + "/instructions/mine/data.json", "[]")
        let said = try box.run(mirror: box.mirror)
        XCTAssertEqual(box.text(box.data + "/reviews/ratings.tsv"), mine, "a copy of the user's own is never replaced")
        XCTAssertFalse(FileIO.exists(box.data + "/reviews/SHA256SUMS"))
        let warning = "  WARNING: reviews/ratings.tsv is not the published file: sha256 expected \(Sandbox.sha256(Sandbox.text("reviews", "ratings.tsv"))), "
            + "actual \(Sandbox.sha256(mine)); \(mine.utf8.count) bytes, the published file has \(Sandbox.text("reviews", "ratings.tsv").utf8.count); "
            + "1 rows, the published file has 2; used as is"
        XCTAssertTrue(said.contains(warning), said.joined(separator: "\n"))
        XCTAssertTrue(said.contains("  not in the list, used as is: mine/data.json"), said.joined(separator: "\n"))
        XCTAssertTrue(said.contains("  WARNING: the published instructions/full/data.json is not here; the chapters use what is"))
        XCTAssertEqual(box.text(box.data + "/lessons/records.json"), Sandbox.text("lessons", "records.json"), "the missing sets are fetched")
        XCTAssertTrue(said.last?.hasPrefix("data: all 4 data sets are in \(box.data) (2 warnings above: copies that are not the published files") == true, said.last ?? "")
    }

    func testAFolderOfYourOwnLinkedIntoTheDataFolderIsFollowed() throws {
        let box = try Sandbox()
        for file in Sandbox.files where file.path != "partial/data.json" {
            try box.write(box.root + "/elsewhere/" + file.folder + "/" + file.path, file.text)
        }
        for folder in ["lessons", "reviews", "instructions"] {
            XCTAssertEqual(symlink(box.root + "/elsewhere/" + folder, box.data + "/" + folder), 0)
        }
        try FileIO.makeDirectories(box.data + "/articles")
        XCTAssertEqual(symlink(box.root + "/elsewhere/articles/set", box.data + "/articles/set"), 0)
        let said = try box.run(mirror: nil)   // no mirror, no source: anything it tried to fetch would fail
        XCTAssertEqual(said.filter { $0.hasSuffix("(not placed by fetch-data), 1 listed file verified") }.count, 3, said.joined(separator: "\n"))
        XCTAssertTrue(said.contains("articles/set/: your copy (not placed by fetch-data), 3 listed files verified"), said.joined(separator: "\n"))
    }

    func testAPlacedFileThatChangedStopsTheStep() throws {
        let box = try Sandbox()
        try box.run(mirror: box.mirror)
        let edited = #"[{"i": "가"}, {"i": "바뀜"}]"#
        try box.write(box.data + "/instructions/full/data.json", edited)
        let message = failureText { try box.run(mirror: nil) }
        let firstSeen = Sandbox.sha256(Sandbox.text("instructions", "full/data.json"))
        XCTAssertTrue(message.contains("instructions/full/data.json changed since it was placed: sha256 expected \(firstSeen) (recorded in SHA256SUMS), actual \(Sandbox.sha256(edited))"), message)
        XCTAssertTrue(message.hasSuffix("Delete \(box.data)/instructions and run again to fetch it anew."), message)
        XCTAssertEqual(box.text(box.data + "/instructions/full/data.json"), edited, "the step does not touch what it refuses")
    }

    func testPinningAHashRefusesACopyFirstSeenWithAnother() throws {
        let box = try Sandbox()
        try box.run(mirror: box.mirror)
        let other = String(repeating: "ab", count: 32)
        let message = failureText { try box.run(mirror: nil, sets: box.sets(box.list(pin: other))) }
        XCTAssertTrue(message.contains("instructions/full/data.json was placed before its hash was pinned, and differs: sources.txt pins \(other)"), message)
        // Pinned to the hash it has, the same copy passes.
        let pinned = try box.sets(box.list(pin: Sandbox.sha256(Sandbox.text("instructions", "full/data.json"))))
        XCTAssertEqual(try box.run(mirror: nil, sets: pinned).last, "data: all 4 data sets are in \(box.data); nothing to fetch (no network needed)")
    }

    func testLeftoversOfAnInterruptedFetchAreRemovedAndAnEmptyFolderIsFilled() throws {
        let box = try Sandbox()
        try box.write(box.data + "/.incoming/reviews/ratings.tsv", "id\tdocu")
        try FileIO.makeDirectories(box.data + "/lessons/empty")
        let said = try box.run(mirror: box.mirror)
        XCTAssertEqual(said.first, "removed \(box.data)/.incoming: the leftovers of a fetch that was interrupted")
        XCTAssertEqual(box.text(box.data + "/reviews/ratings.tsv"), Sandbox.text("reviews", "ratings.tsv"))
        XCTAssertEqual(box.text(box.data + "/lessons/records.json"), Sandbox.text("lessons", "records.json"))
        XCTAssertFalse(FileIO.exists(box.data + "/.incoming"))
    }

    func testAMirrorFolderThatDoesNotExistIsRefusedAtOnce() throws {
        XCTAssertThrowsError(try Mirror("/no/such/mirror")) { error in
            XCTAssertTrue("\(error)".contains("no such folder"), "\(error)")
        }
        XCTAssertEqual(try Mirror("https://course.example/data/").base, "https://course.example/data")
        let box = try Sandbox()
        try FileIO.makeDirectories(box.root + "/a b/한")
        XCTAssertEqual(try Mirror(box.root + "/a b/한").base, "file://\(box.root)/a%20b/%ED%95%9C")
        XCTAssertEqual(try Mirror("한", currentDirectory: box.root + "/a b").url("nsmc/x.txt"), "file://\(box.root)/a%20b/%ED%95%9C/nsmc/x.txt")
    }
}

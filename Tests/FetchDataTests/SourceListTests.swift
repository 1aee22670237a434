import Foundation
import XCTest
import Plumbing
@testable import fetch_data

final class SourceListTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The checked-in list: the four data sets the chapters read, with the counts and sizes of the published files.
    func testTheCheckedInListNamesEveryDataSetTheChaptersRead() throws {
        let sets = try SourceList.load(SourceListTests.root + "/" + SourceList.defaultPath)
        XCTAssertEqual(sets.map(\.folder), ["koalpaca", "nsmc", "summarization/sci-news-sum-kr-50", "pretraining/kowiki-sample"])
        let koalpaca = sets[0]
        XCTAssertEqual(koalpaca.files, [ListedFile(path: "v1.0/ko_alpaca_data.json", sha256: .firstSeen, bytes: nil, records: .jsonArray(49_620),
                                                   origin: .github(repository: "Beomi/KoAlpaca", commit: "fb5c84e205755f2291ac78f76c5a416030b57b3f", path: "ko_alpaca_data.json"))])
        XCTAssertEqual(koalpaca.standIns.map(\.records), [.jsonArray(11_421), .jsonArray(1_040)])
        XCTAssertEqual(koalpaca.standIns[0].origin, .mirrorOnly)
        XCTAssertEqual(sets[1].files.map(\.origin.url), ["https://raw.githubusercontent.com/e9t/nsmc/cc0670e872d4ac27bfe36c87456783004b39ef6c/ratings_test.txt"])
        XCTAssertEqual(sets[1].publishedBytes, 4_893_335)
        XCTAssertEqual(sets[2].files.count, 51)
        XCTAssertEqual(sets[2].publishedBytes, 164_804)
        XCTAssertEqual(sets[2].files.last?.origin.url, "https://raw.githubusercontent.com/theeluwin/sci-news-sum-kr-50/aca0583651503c1cdfa8ef0bc2ef0976250a33ca/LICENSE")
        XCTAssertEqual(sets[3].files.count, 40)
        XCTAssertEqual(sets[3].publishedBytes, 41_933_248)
        XCTAssertEqual(sets[3].files.reduce(0) { $0 + ($1.records?.expected ?? 0) }, 55_352)
        for set in sets { XCTAssertFalse(set.license.isEmpty || set.attribution.isEmpty, set.folder) }
    }

    func testEveryBadLineIsAnErrorNamingTheLine() {
        let good = "[x]  X\nlicense L\nattribution A\n"
        let hash = String(repeating: "a0", count: 32)
        let cases: [(String, Int, String)] = [
            ("file a.txt \(hash) 3 - -\n", 1, "a line before the first `[folder]` header"),
            (good + "file a.txt \(hash) 3 -\n", 4, "expected 5 columns"),
            (good + "file a.txt \(hash.uppercased()) 3 - -\n", 4, "is not a sha256"),
            (good + "file ../a.txt \(hash) 3 - -\n", 4, "not a relative path"),
            (good + "file a.txt first-seen - - -\n", 4, "a first-seen file needs a record count"),
            (good + "stand-in a.txt first-seen - json-array=1 -\n", 4, "a stand-in needs a pinned sha256"),
            (good + "file a.txt \(hash) 3 lines=3 -\n", 4, "unknown record count \"lines\""),
            (good + "file a.txt \(hash) 3 - owner/repo@abc:a.txt\n", 4, "expected owner/repository@<40-digit commit>:path"),
            (good + "sha256 \(hash)\n", 4, "unknown key \"sha256\""),
            (good + "file a.txt \(hash) 3 - -\nfile a.txt \(hash) 3 - -\n", 5, "a.txt is listed twice"),
        ]
        for (text, line, problem) in cases {
            XCTAssertThrowsError(try SourceList.parse(text, file: "list.txt"), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("list.txt:\(line): "), message)
                XCTAssertTrue(message.contains(problem), message)
            }
        }
        XCTAssertThrowsError(try SourceList.parse("[x]  X\nlicense L\n", file: "list.txt")) { error in
            XCTAssertEqual("\(error)", "list.txt: data set [x] needs a license, an attribution and at least one file")
        }
    }

    func testOriginsAndARecordFileReadBack() throws {
        let sets = try SourceList.parse("""
        [a/b]  A title
        license      L
        attribution  A
        file  x/y.json  first-seen  -  json-array=2  o/r@0123456789abcdef0123456789abcdef01234567:data/y.json
        file  z.txt  \(String(repeating: "f", count: 64))  10  tsv-rows=1  https://example.org/z.txt
        """, file: "list.txt")
        XCTAssertEqual(sets[0].title, "A title")
        XCTAssertEqual(sets[0].files.map(\.origin.url), ["https://raw.githubusercontent.com/o/r/0123456789abcdef0123456789abcdef01234567/data/y.json",
                                                         "https://example.org/z.txt"])
        XCTAssertNil(sets[0].publishedBytes, "one size is not pinned")

        let box = try Sandbox()
        let sums = Record.sumsText([("x/y.json", String(repeating: "a", count: 64)), ("z.txt", String(repeating: "b", count: 64))])
        try box.write(box.root + "/SHA256SUMS", sums)
        XCTAssertEqual(try Record.readSums(box.root + "/SHA256SUMS").map(\.path), ["x/y.json", "z.txt"])
        try box.write(box.root + "/SHA256SUMS", sums + "not a line\n")
        XCTAssertThrowsError(try Record.readSums(box.root + "/SHA256SUMS")) { error in
            XCTAssertTrue("\(error)".hasSuffix("SHA256SUMS:3: not a `<sha256>  <path>` line"), "\(error)")
        }
    }
}

final class VerificationTests: XCTestCase {
    func count(_ text: String, _ kind: RecordCount) -> Result<Int, CountError> {
        Verification.count(Array(text.utf8), as: kind, file: "f")
    }

    func testRecordCountsOfEachFormat() {
        XCTAssertEqual(count("[1, {\"a\": 2}, [3]]", .jsonArray(0)), .success(3))
        XCTAssertEqual(count("{\"a\": 1}", .jsonArray(0)), .failure(CountError(description: "not a JSON array")))
        guard case .failure(let error) = count("[1, 2", .jsonArray(0)) else { return XCTFail("a cut-off array counted") }
        XCTAssertTrue(error.description.hasPrefix("not JSON: "), error.description)

        XCTAssertEqual(count("id\tdocument\tlabel\n1\ta\t1\n2\tb\t0\n", .tsvRows(0)), .success(2))
        XCTAssertEqual(count("id\tdocument\tlabel\n1\ta\t1\n2\tb", .tsvRows(0)), .success(2), "a last line without its newline counts")
        XCTAssertEqual(count("", .tsvRows(0)), .failure(CountError(description: "empty, not even a header line")))

        let doc = "<doc id=\"1\" url=\"u\" title=\"t\">\nt\n\nbody\n</doc>\n"
        XCTAssertEqual(count(doc + doc, .wikiDocs(0)), .success(2))
        XCTAssertEqual(count(doc + "<doc id=\"2\" url=\"u\" title=\"t\">\nt\n", .wikiDocs(0)),
                       .failure(CountError(description: "2 <doc> lines but 1 </doc> lines (cut off?)")))
    }

    func testProblemsNameEveryDifference() {
        let listed = ListedFile(path: "r.tsv", sha256: .pinned(String(repeating: "a", count: 64)), bytes: 100, records: .tsvRows(50), origin: .mirrorOnly)
        let measured = Measured(bytes: 40, sha256: String(repeating: "b", count: 64), records: .success(20))
        XCTAssertEqual(Verification.problems(listed, measured), [
            "sha256 expected \(String(repeating: "a", count: 64)), actual \(String(repeating: "b", count: 64))",
            "40 bytes, the published file has 100",
            "20 rows, the published file has 50",
        ])
        XCTAssertEqual(Verification.problems(listed, Measured(bytes: 100, sha256: String(repeating: "a", count: 64), records: .success(50))), [])
        let firstSeen = ListedFile(path: "d.json", sha256: .firstSeen, bytes: nil, records: .jsonArray(3), origin: .mirrorOnly)
        XCTAssertEqual(Verification.problems(firstSeen, Measured(bytes: 9, sha256: "c", records: .success(3))), [], "nothing to compare the hash with yet")
    }
}

import Foundation
import XCTest
@testable import Repro
import Tensor
@testable import ch01_data_repair
import Plumbing
@testable import Book

/// A scratch directory removed after each test.
class ScratchTestCase: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "ch01-" + UUID().uuidString
        try FileIO.makeDirectories(scratch)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

/// The chapter run end to end on small files: what it writes, and that a bad file makes it write nothing.
final class ChapterTests: ScratchTestCase {
    let smallFile = """
    [{"instruction": "건강 팁을 알려주세요.", "input": "", "output": "잘 주무세요."},
     {"instruction": "문장의 문법 오류를 수정하세요.", "input": "나는 책을 읽었다.", "output": "나는 책을 읽었다."},
     {"instruction": "문법", "input": 5, "output": "x"},
     {"instruction": "이 문장에 오류가 있는지 확인하세요.", "input": "나는 밥을 먹었다.", "output": "오류가 없습니다."},
     {"instruction": "건강 팁을 알려주세요.", "input": "", "output": "물을 드세요."}]
    """

    func runChapter(dataFile text: String) throws {
        try FileIO.writeAtomically(scratch + "/data/koalpaca/v1.0/ko_alpaca_data.json", text: text)
        let chapter = try DataRepairChapter.parse(["--data-dir", scratch + "/data", "--out", scratch + "/out", "--scale", "smoke"])
        try chapter.run()
    }

    func testSmallFileEndToEnd() throws {
        guard Gnuplot.executable != nil else { throw XCTSkip("gnuplot is not installed") }
        try runChapter(dataFile: smallFile)
        let dir = scratch + "/out/01-data-repair/"
        let repaired = try Records.readJSONLines(dir + Artifacts.repairedRecords.path)
        XCTAssertEqual(repaired.count, 4)                                    // record 2 rejected, excluded
        XCTAssertEqual(repaired[1]["input"]?.string, "나는 책를 읽었다.")
        XCTAssertEqual(repaired[1]["output"]?.string, "나는 책을 읽었다.")
        XCTAssertEqual(repaired[3]["output"]?.string, "물을 드세요.")        // a duplicate, kept
        let rejects = try Records.readJSONLines(dir + Output.rejects)
        XCTAssertEqual(rejects.map { $0["index"]?.int }, [2])
        let candidates = try Records.readJSONLines(dir + Output.candidates)
        XCTAssertEqual(candidates.map { $0["class"]?.string }, ["a-already-correct", "b-detection"])
        let summary = String(decoding: try FileIO.read(dir + Output.summary), as: UTF8.self)
        XCTAssertTrue(summary.contains("| records repaired | 1 | 82 |"), summary)
        XCTAssertTrue(summary.contains("| extra copies in those groups (kept) | 1 | — |"), summary)
        let repairs = String(decoding: try FileIO.read(dir + Output.repairs), as: UTF8.self)
        XCTAssertTrue(repairs.contains("> 나는 책를 읽었다."))
        XCTAssertTrue(FileIO.exists(dir + Output.lengthFigure + ".png"))
        let manifest = try JSON.parse(try FileIO.read(dir + "manifest.json"))
        XCTAssertNotNil(manifest["outputs"]?[Artifacts.repairedRecords.path]?.string)
    }

    func testABadFileStopsTheChapterBeforeAnythingIsWritten() throws {
        XCTAssertThrowsError(try runChapter(dataFile: String(smallFile.dropLast(40)))) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("ko_alpaca_data.json") && text.contains("record 4"), text)
        }
        XCTAssertFalse(FileIO.exists(scratch + "/out/01-data-repair"))
    }
}


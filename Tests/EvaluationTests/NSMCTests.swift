import Foundation
import Repro
import Tensor
import XCTest

final class NSMCTests: XCTestCase {
    func testParseAnswer() {
        XCTAssertEqual(NSMC.parseAnswer("긍정"), .positive)
        XCTAssertEqual(NSMC.parseAnswer(" 부정"), .negative)
        XCTAssertEqual(NSMC.parseAnswer(" 부정입니다.\n문장의 긍정, 부정을"), .negative)   // trailing text
        XCTAssertEqual(NSMC.parseAnswer("긍정적인 리뷰예요"), .positive)
        XCTAssertEqual(NSMC.parseAnswer("\n\n긍정"), .positive)                       // blank lines before it
        XCTAssertEqual(NSMC.parseAnswer("긍정 부정"), .positive)                        // only the first word counts
        XCTAssertNil(NSMC.parseAnswer("긍정/부정"))                                      // both in the first word
        XCTAssertNil(NSMC.parseAnswer("부정긍정"))
        XCTAssertNil(NSMC.parseAnswer("좋은 영화 긍정"))                                  // neither starts the answer
        XCTAssertNil(NSMC.parseAnswer("모르겠습니다"))
        XCTAssertNil(NSMC.parseAnswer(""))
        XCTAssertNil(NSMC.parseAnswer("  \n "))
        XCTAssertNil(NSMC.parseAnswer("�정"))                                           // a token cut mid-character
    }

    /// Wilson intervals at 95% on known counts (the usual tables: 0 of 10 → [0, 0.2775], 50 of 100 → [0.4038, 0.5962]).
    func testWilsonInterval() {
        let cases: [(Int, Int, Double, Double)] = [(50, 100, 0.4038315303659956, 0.5961684696340044),
                                                   (0, 10, 0, 0.2775327998628892), (10, 10, 0.7224672001371107, 1),
                                                   (381, 1000, 0.35141031362749775, 0.4115004548920643),
                                                   (7, 40, 0.0874541374603592, 0.31949990331787714)]
        for (successes, trials, low, high) in cases {
            let interval = NSMC.wilsonInterval(successes: successes, trials: trials)
            XCTAssertEqual(interval.low, low, accuracy: 1e-12, "\(successes)/\(trials)")
            XCTAssertEqual(interval.high, high, accuracy: 1e-12, "\(successes)/\(trials)")
        }
        XCTAssertEqual(NSMC.wilsonInterval(successes: 0, trials: 0).high, 1)
    }

    func file(_ rows: [String]) -> [UInt8] { Array(([NSMC.header] + rows).joined(separator: "\n").utf8) + [0x0A] }

    func testLoadsRowsAndKeepsEmptyDocumentsForTheSplitToCount() throws {
        let rows = try NSMC.parse(file(["1\t재미있다\t1", "2\t\t0", "3\t지루하다\t0"]), file: "t.txt")
        XCTAssertEqual(rows.map(\.id), ["1", "2", "3"])
        XCTAssertEqual(rows.map(\.label), [.positive, .negative, .negative])
        XCTAssertEqual(rows.map(\.line), [2, 3, 4])
        XCTAssertTrue(rows[1].isEmpty)
        // CRLF line ends are read too.
        let crlf = try NSMC.parse(Array("id\tdocument\tlabel\r\n7\t좋다\t1\r\n".utf8), file: "c.txt")
        XCTAssertEqual(crlf, [NSMCRow(id: "7", document: "좋다", label: .positive, line: 2)])
    }

    func testBadRowsNameTheFileAndLine() {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try NSMC.parse(bytes, file: "ratings.txt"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(file(["1\t좋다\t1", "2\t나쁘다"])),
                       "ratings.txt:3: expected 3 tab-separated fields (id, document, label), found 2")
        XCTAssertEqual(message(file(["1\t좋다\t2"])), "ratings.txt:2: label must be 0 or 1, found \"2\"")
        XCTAssertEqual(message(file(["1\t좋다\t1", "\t좋다\t1"])), "ratings.txt:3: empty id")
        // A blank line inside the file is a bad row; blank lines at its end are ignored (TextFile's rule).
        XCTAssertEqual(message(file(["1\t좋다\t1", "", "2\t나쁘다\t0"])), "ratings.txt:3: expected 3 tab-separated fields (id, document, label), found 1")
        XCTAssertEqual(message(file(["1\t좋다\t1", ""])), "no error")
        XCTAssertEqual(message(Array("id,document,label\n".utf8)),
                       #"ratings.txt:1: expected the header "id\tdocument\tlabel", found "id,document,label""#)
        XCTAssertEqual(message(Array("id\tdocument\tlabel\n1\t".utf8) + [0xEC, 0x95] + Array("\t1\n".utf8)),
                       "ratings.txt:2: not valid UTF-8 at byte 20 of the file (0xEC, byte 3 of the line)")
        XCTAssertEqual(message([]), "ratings.txt: file is empty")
        XCTAssertEqual(message(Array("id\tdocument\tlabel\n".utf8)), "ratings.txt: no rows after the header")
        XCTAssertTrue(message(Array("x".utf8)).hasPrefix("ratings.txt:1: expected the header"))
    }

    func testMissingFileIsAnErrorNamingIt() {
        XCTAssertThrowsError(try NSMC.load("/nonexistent/ratings_test.txt")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/ratings_test.txt"), "\(error)")
        }
    }

    func rows(_ n: Int) -> [NSMCRow] {
        (0..<n).map { NSMCRow(id: "\($0)", document: $0 % 17 == 5 ? " " : "리뷰 \($0)", label: $0 % 3 == 0 ? .negative : .positive, line: $0 + 2) }
    }

    func testSplitHoldsOutDemonstrationsSkipsEmptiesAndIsSeeded() {
        let all = rows(200)
        let split = NSMC.split(all, scored: 50, seed: 9)
        let empty = all.filter(\.isEmpty).count
        XCTAssertEqual(split.emptySkipped, empty)
        XCTAssertEqual(split.demonstrations.count, NSMC.demonstrationSliceSize(rows: 200 - empty))
        XCTAssertEqual(split.scored.count, 50)
        XCTAssertTrue(Set(split.scored.map(\.id)).isDisjoint(with: split.demonstrations.map(\.id)))
        XCTAssertFalse(split.scored.contains(where: \.isEmpty) || split.demonstrations.contains(where: \.isEmpty))
        XCTAssertEqual(split.scored.map(\.line), split.scored.map(\.line).sorted())     // file order
        let again = NSMC.split(all, scored: 50, seed: 9)
        XCTAssertEqual(again.scored, split.scored)
        XCTAssertEqual(again.demonstrations, split.demonstrations)
        XCTAssertNotEqual(NSMC.split(all, scored: 50, seed: 10).scored, split.scored)
        // nil: every row outside the slice.
        let everything = NSMC.split(all, scored: nil, seed: 9)
        XCTAssertEqual(everything.scored.count + everything.demonstrations.count + everything.emptySkipped, 200)
    }

    func testSplitSkipsRowsRepeatingADemonstrationsText() {
        // Ten copies of one text: whichever lands in the slice, the other copies must not be scored.
        var all = rows(40)
        for i in 0..<10 { all[i].document = "같은 리뷰" }
        let split = NSMC.split(all, scored: nil, seed: 3)
        if split.demonstrations.contains(where: { $0.document == "같은 리뷰" }) {
            XCTAssertFalse(split.scored.contains { $0.document == "같은 리뷰" })
            XCTAssertEqual(split.repeatsOfDemonstrations, 10 - split.demonstrations.filter { $0.document == "같은 리뷰" }.count)
        }
        XCTAssertEqual(split.scored.count + split.demonstrations.count + split.emptySkipped + split.repeatsOfDemonstrations, 40)
    }

    func testBalanceAndMajorityBaseline() {
        let labels: [SentimentLabel] = [.positive, .positive, .positive, .negative]
        let scored = labels.enumerated().map { NSMCRow(id: "\($0)", document: "d\($0)", label: $1, line: $0) }
        let split = NSMCSplit(demonstrations: [], scored: scored, emptySkipped: 0, repeatsOfDemonstrations: 0)
        XCTAssertEqual(split.balance.positive, 3)
        XCTAssertEqual(split.balance.negative, 1)
        XCTAssertEqual(split.majorityAccuracy, 0.75)
        // NSMC's whole test split: 25,173 positive of 50,000.
        let whole = NSMCSplit(demonstrations: [], scored: (0..<50_000).map {
            NSMCRow(id: "\($0)", document: "x", label: $0 < 25_173 ? .positive : .negative, line: $0)
        }, emptySkipped: 0, repeatsOfDemonstrations: 0)
        XCTAssertEqual(whole.majorityAccuracy, 0.50346)
    }

    /// The prompt text, byte for byte.
    func testPromptText() {
        let demonstration = NSMCRow(id: "1", document: "다시 보고 싶은 작품", label: .positive, line: 2)
        let raw = NSMCPrompt(form: .raw)
        XCTAssertEqual(raw.text(demonstration: demonstration, document: "시간이 아까웠다"),
                       "문장의 긍정, 부정을 분류하세요. 다시 보고 싶은 작품 정답: 긍정\n문장의 긍정, 부정을 분류하세요. 시간이 아까웠다 정답:")
        XCTAssertEqual(raw.continuation(.positive), " 긍정")
        XCTAssertEqual(raw.continuation(.negative), " 부정")
        let template = NSMCPrompt(form: .template, template: .korean)
        let block = { (review: String) in
            "아래는 작업을 설명하는 명령어와 추가적 맥락을 제공하는 입력이 짝을 이루는 예제입니다.\n\n요청을 적절히 완료하는 응답을 작성하세요.\n\n### 명령어:\n문장의 긍정, 부정을 분류하세요.\n\n### 입력:\n\(review)\n\n### 응답:\n"
        }
        XCTAssertEqual(template.text(demonstration: demonstration, document: "시간이 아까웠다"),
                       block("다시 보고 싶은 작품") + "긍정\n\n" + block("시간이 아까웠다"))
        XCTAssertEqual(template.continuation(.negative), "부정")
    }
}

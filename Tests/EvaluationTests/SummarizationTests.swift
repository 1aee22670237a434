import Foundation
import Repro
import Tensor
import XCTest
import Plumbing

/// A scratch directory removed after each test.
class ScratchTestCase: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "ch05-" + UUID().uuidString
        try FileIO.makeDirectories(scratch)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

/// A small byte-level BPE trained on Korean text, for the tests that need a real tokenizer.
func makeSmallTokenizer() throws -> BPETokenizer {
    let texts = ["한 연구팀이 충전 시간이 짧은 새 배터리 기술을 발표했다.", "이 배터리는 10분 만에 80%까지 충전된다.",
                 "주어진 기사를 요약하세요 기사: 도서관 이용자가 크게 늘었다.", "문장의 긍정, 부정을 분류하세요. 정답: 긍정",
                 "아래는 작업을 설명하는 명령어와 추가적 맥락을 제공하는 입력이 짝을 이루는 예제입니다.",
                 "요청을 적절히 완료하는 응답을 작성하세요. ### 명령어: ### 입력: ### 응답:", "정답: 부정 시간이 아까웠다"]
    return try BPETokenizer.train(texts: texts, vocabSize: 400)
}

final class SummarizationTests: ScratchTestCase {
    func write(_ name: String, _ text: String) throws -> String {
        let path = scratch + "/" + name
        try FileIO.writeAtomically(path, text: text)
        return path
    }

    func testArticleReferenceIsTheChosenSentencesInArticleOrder() throws {
        let path = try write("07.json", #"{"title": "t", "sentences": ["첫 문장", "둘째 문장", "셋째 문장", "넷째 문장"], "summaries": [3, 0, 3]}"#)
        let example = try Summarization.loadArticle(path)
        XCTAssertEqual(example.id, "07")
        XCTAssertEqual(example.document, "첫 문장 둘째 문장 셋째 문장 넷째 문장")
        XCTAssertEqual(example.reference, "첫 문장 넷째 문장")
    }

    func testDirectoryIsReadInNameOrder() throws {
        let examples = try Summarization.load(fixturesData + "/summarization/sci-news-sum-kr-50")
        XCTAssertEqual(examples.map(\.id), ["01", "02", "03"])
        XCTAssertEqual(examples[1].reference, "올해 공공 도서관 이용자가 크게 늘었다. 도서관은 어린이 프로그램을 확대했다.")
    }

    func testBadArticlesNameTheFile() throws {
        for (text, problem) in [(#"{"sentences": ["a"], "summaries": [1]}"#, "summaries[0] is not an index into the 1 sentences"),
                                (#"{"sentences": [], "summaries": [0]}"#, "missing or empty \"sentences\" array"),
                                (#"{"sentences": ["a", 3], "summaries": [0]}"#, "sentences[1] is not a string"),
                                (#"{"sentences": ["a"]}"#, "missing or empty \"summaries\" array")] {
            let path = try write("bad.json", text)
            XCTAssertThrowsError(try Summarization.loadArticle(path)) { error in
                XCTAssertEqual("\(error)", "\(path): \(problem)")
            }
        }
        let truncated = try write("cut.json", #"{"sentences": ["a""#)
        XCTAssertThrowsError(try Summarization.loadArticle(truncated)) { XCTAssertTrue("\($0)".hasPrefix(truncated), "\($0)") }
    }

    func testJSONLinesLoaderNamesTheRecord() throws {
        let good = try write("s.jsonl", "{\"document\": \"기사 본문\", \"summary\": \"요약\"}\n{\"id\": \"x\", \"document\": \"둘\", \"summary\": \"셋\"}\n")
        let examples = try Summarization.load(good)
        XCTAssertEqual(examples, [SummaryExample(id: "1", document: "기사 본문", reference: "요약"),
                                  SummaryExample(id: "x", document: "둘", reference: "셋")])
        let spaced = try write("sp.jsonl", "\n\n{\"document\": \"a\", \"summary\": \"b\"}\n")
        XCTAssertEqual(try Summarization.load(spaced).map(\.id), ["1"])     // the record's number, not its line
        let bad = try write("b.jsonl", "{\"document\": \"a\", \"summary\": \"b\"}\n{\"document\": \"a\"}\n")
        XCTAssertThrowsError(try Summarization.load(bad)) { error in
            XCTAssertEqual("\(error)", "\(bad): record 1: missing or empty \"summary\" string")
        }
    }

    /// The prompt text, byte for byte: the paper's sentence in the instruction slot, "기사: " + the article as input.
    func testPromptText() {
        let template = SummaryPrompt(form: .template, template: .korean)
        XCTAssertEqual(template.text(document: "새 배터리가 나왔다."),
                       "아래는 작업을 설명하는 명령어와 추가적 맥락을 제공하는 입력이 짝을 이루는 예제입니다.\n\n요청을 적절히 완료하는 응답을 작성하세요.\n\n### 명령어:\n주어진 기사를 요약하세요\n\n### 입력:\n기사: 새 배터리가 나왔다.\n\n### 응답:\n")
        XCTAssertEqual(SummaryPrompt(form: .raw).text(document: "새 배터리가 나왔다."), "주어진 기사를 요약하세요 기사: 새 배터리가 나왔다.")
    }

    /// A long article is cut from its end to the longest prefix whose prompt fits the budget.
    func testLongArticlesAreCutFromTheEndToFit() throws {
        let smallTokenizer = try makeSmallTokenizer()
        let prompt = SummaryPrompt(form: .template, template: .korean)
        let article = String(repeating: "한 연구팀이 충전 시간이 짧은 새 배터리 기술을 발표했다. ", count: 20)
        let empty = smallTokenizer.encode(prompt.text(document: "")).count
        let budget = empty + 40
        let (ids, kept) = try prompt.fit(document: article, tokenizer: smallTokenizer, budget: budget)
        XCTAssertLessThan(kept, article.count)
        XCTAssertLessThanOrEqual(ids.count, budget)
        XCTAssertEqual(ids, smallTokenizer.encode(prompt.text(document: String(article.prefix(kept)))))
        XCTAssertGreaterThan(smallTokenizer.encode(prompt.text(document: String(article.prefix(kept + 1)))).count, budget)
        // Enough room: nothing is cut.
        let whole = try prompt.fit(document: article, tokenizer: smallTokenizer, budget: 100_000)
        XCTAssertEqual(whole.keptCharacters, article.count)
        // Not even the template fits: an error that gives the sizes.
        XCTAssertThrowsError(try prompt.fit(document: article, tokenizer: smallTokenizer, budget: empty - 1)) { error in
            XCTAssertTrue("\(error)".contains("takes \(empty) tokens, more than the \(empty - 1) available"), "\(error)")
        }
    }
}

/// The project's smoke data (Tests/Fixtures/data).
let fixturesData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/data").path

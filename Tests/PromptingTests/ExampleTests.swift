import XCTest
import Repro
import Tensor
@testable import ch02_prompting
import Plumbing
import Book

final class ExampleTests: XCTestCase {
    static let texts = [
        "아래는 작업을 설명하는 명령어입니다. 대한민국의 수도는 서울입니다.", "건강을 유지하기 위한 세 가지 팁을 알려주세요.",
        "나는 학교에 갑니다. I go to school.", "오늘은 날씨가 좋습니다.", "### 명령어:\n### 입력:\n### 응답:\n",
    ]
    // A real tokenizer, trained on a few lines (the examples need one; no stand-in).
    static let tokenizer = try! BPETokenizer.train(texts: texts, vocabSize: 300)

    let record = InstructionRecord(instruction: "대한민국의 수도는 어디인가요?", input: "", output: "서울입니다.")

    func testPromptIsMaskedAndTheFirstResponseTokenIsALabel() throws {
        let bpe = Self.tokenizer
        guard case .kept(let e, let truncated) = makeExample(record, index: 7, tokenizer: bpe, options: ExampleOptions(contextLength: 512)) else {
            return XCTFail("dropped")
        }
        let prompt = bpe.encode(PromptTemplate.korean.promptForGeneration(instruction: record.instruction, input: ""))
        let response = bpe.encode("서울입니다.")
        XCTAssertEqual(e.record, 7)
        XCTAssertEqual(e.promptTokens, prompt.count)
        XCTAssertEqual(e.inputIDs, prompt + response + [bpe.endOfText])
        XCTAssertEqual(Array(e.labels[..<prompt.count]), Array(repeating: -100, count: prompt.count))
        // The first response token is *not* masked, and every response token and the EOS are labels.
        XCTAssertEqual(e.labels[prompt.count], response[0])
        XCTAssertEqual(Array(e.labels[prompt.count...]), response + [bpe.endOfText])
        XCTAssertEqual(bpe.endOfText, 2)
        XCTAssertFalse(truncated)
        // Decoding the ids gives back exactly the text the template builds.
        XCTAssertEqual(bpe.decode(e.inputIDs), PromptTemplate.korean.promptForGeneration(instruction: record.instruction, input: "") + "서울입니다.<|endoftext|>")
    }

    func testAblationSwitches() {
        let bpe = Self.tokenizer
        guard case .kept(let unmasked, _) = makeExample(record, index: 0, tokenizer: bpe, options: ExampleOptions(contextLength: 512, maskPrompt: false)),
              case .kept(let noEOS, _) = makeExample(record, index: 0, tokenizer: bpe, options: ExampleOptions(contextLength: 512, appendEndOfText: false))
        else { return XCTFail() }
        XCTAssertEqual(unmasked.labels, unmasked.inputIDs)
        XCTAssertNotEqual(noEOS.inputIDs.last, bpe.endOfText)
        XCTAssertEqual(noEOS.inputIDs.count, unmasked.inputIDs.count - 1)
    }

    func testTruncationCutsTheResponseEndAndDropsWhenThePromptFillsTheContext() {
        let bpe = Self.tokenizer
        let prompt = bpe.encode(PromptTemplate.korean.promptForGeneration(instruction: record.instruction, input: "")).count
        guard case .kept(let cut, let truncated) = makeExample(record, index: 0, tokenizer: bpe, options: ExampleOptions(contextLength: prompt + 2)) else { return XCTFail() }
        XCTAssertTrue(truncated)
        XCTAssertEqual(cut.inputIDs.count, prompt + 2)
        XCTAssertEqual(Array(cut.inputIDs.suffix(2)), Array(bpe.encode("서울입니다.").prefix(2)))
        XCTAssertEqual(makeExample(record, index: 0, tokenizer: bpe, options: ExampleOptions(contextLength: prompt)), .dropped(promptTokens: prompt))
    }

    func testSplitIsSeededDisjointAndCapped() {
        let a = split(count: 100, validation: 10, maxTraining: 50, seed: 1)
        XCTAssertEqual(a.validation.count, 10)
        XCTAssertEqual(a.training.count, 50)
        XCTAssertTrue(Set(a.training).isDisjoint(with: a.validation))
        XCTAssertEqual(a.training, a.training.sorted())
        XCTAssertEqual(split(count: 100, validation: 10, maxTraining: 50, seed: 1).validation, a.validation)
        XCTAssertNotEqual(split(count: 100, validation: 10, maxTraining: 50, seed: 2).validation, a.validation)
    }

    func testHangulSyllableCount() {
        XCTAssertEqual(hangulSyllables("한국어 abc 가힣!"), 5)
    }

    func testReadRecordsNamesTheBadLine() throws {
        let path = NSTemporaryDirectory() + "records-\(UUID().uuidString).jsonl"
        try FileIO.writeAtomically(path, text: "{\"instruction\":\"a\",\"input\":\"\",\"output\":\"b\"}\n{\"instruction\":\"a\",\"output\":\"b\"}\n")
        XCTAssertThrowsError(try JSONLines<InstructionRecord>.read(from: path)) {
            XCTAssertTrue("\($0)".contains(":2: record 1: expected string fields"), "\($0)")
        }
    }
}

import XCTest
@testable import Repro
import Plumbing

final class PromptTests: XCTestCase {
    func testKoreanTemplatesAreByteExact() {
        // The paper's templates, byte for byte (UTF-8), as in ../shared/README.md.
        let withInput = PromptTemplate.korean.prompt(instruction: "다음 문장을 요약하세요.", input: "오늘은 맑다.")
        XCTAssertEqual(withInput, "아래는 작업을 설명하는 명령어와 추가적 맥락을 제공하는 입력이 짝을 이루는 예제입니다.\n\n요청을 적절히 완료하는 응답을 작성하세요.\n\n### 명령어:\n다음 문장을 요약하세요.\n\n### 입력:\n오늘은 맑다.\n\n### 응답:")
        let withoutInput = PromptTemplate.korean.prompt(instruction: "건강을 유지하기 위한 세 가지 팁을 알려주세요.", input: "")
        XCTAssertEqual(Array(withoutInput.utf8), Array("아래는 작업을 설명하는 명령어입니다.\n\n명령어에 따른 요청을 적절히 완료하는 응답을 작성하세요.\n\n### 명령어:\n건강을 유지하기 위한 세 가지 팁을 알려주세요.\n\n### 응답:".utf8))
        XCTAssertEqual(SHA256.hex(Array(PromptTemplate.koreanWithInput.utf8)).count, 64)
    }

    func testWhitespaceOnlyInputSelectsTheTemplateWithoutInput() {
        XCTAssertEqual(PromptTemplate.korean.prompt(instruction: "x", input: " \n"), PromptTemplate.korean.prompt(instruction: "x", input: ""))
    }

    func testUserTextContainingSlotNamesIsLeftAlone() {
        let p = PromptTemplate.korean.prompt(instruction: "print {input} and {instruction}", input: "{instruction}")
        XCTAssertTrue(p.contains("### 명령어:\nprint {input} and {instruction}\n\n### 입력:\n{instruction}\n\n### 응답:"), p)
    }

    func testGenerationPromptEndsWithTheNewline() {
        XCTAssertTrue(PromptTemplate.korean.promptForGeneration(instruction: "a", input: "").hasSuffix("### 응답:\n"))
        XCTAssertTrue(PromptTemplate.bilingual.promptForGeneration(instruction: "a", input: "b").hasSuffix("### Response(응답):\n"))
    }
}

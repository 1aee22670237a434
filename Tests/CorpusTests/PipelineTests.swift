import XCTest
import Plumbing
@testable import Repro

/// The whole corpus path on the smoke fixture, as the pretraining chapter will run it: read, clean, hold out,
/// train the tokenizer on the training articles only, pack, measure the baselines, score a text's real words.
final class PipelineTests: XCTestCase {
    func testTheWholePathOnTheFixture() throws {
        let cleaned = WikiCleaner(minimumCharacters: 200).clean(try WikiExtractor.read(directory: kowikiFixture))
        let split = try CorpusSplit(articles: cleaned.articles, heldOut: 3, seed: 1234)
        XCTAssertEqual(split.training.count + split.heldOut.count, cleaned.report.articlesKept)

        // Polyglot-Ko's special tokens in Polyglot-Ko's places, trained on the pretraining text.
        let tokenizer = try BPETokenizer.train(texts: split.training.map(\.text), vocabSize: 500)
        XCTAssertEqual(tokenizer.vocabularySize, 500)
        XCTAssertEqual(["<pad>", "<eos>", "<|endoftext|>", "<|sep|>"].map { tokenizer.id(of: $0) }, [0, 1, 2, 3])
        XCTAssertEqual(["<|acc|>", "<|tel|>", "<|rrn|>"].map { tokenizer.id(of: $0) }, [497, 498, 499])

        let training = TokenStream(articles: split.training, tokenizer: tokenizer)
        let heldOut = TokenStream(articles: split.heldOut, tokenizer: tokenizer)
        XCTAssertGreaterThan(training.tokensPerCharacter, 0.2)
        XCTAssertLessThan(training.tokensPerCharacter, 1.5)
        let packed = try PackedSequences(stream: training, contextLength: 32)
        let batch = packed.batch(step: 0, batchSize: 4, seed: 1234)
        XCTAssertEqual(batch.inputs.count, 4 * 32)
        XCTAssertTrue(batch.inputs.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })

        let unigram = UnigramModel(ids: training.ids, vocabularySize: tokenizer.vocabularySize).crossEntropy(on: heldOut)
        let bigram = BigramModel(ids: training.ids, vocabularySize: tokenizer.vocabularySize).crossEntropy(on: heldOut)
        XCTAssertLessThan(bigram.perCharacter, unigram.perCharacter)
        XCTAssertEqual(bigram.targets, heldOut.targets)

        let reference = Eojeol.vocabulary(of: split.heldOut.map(\.text))
        XCTAssertEqual(Eojeol.realWordRate(of: split.heldOut[0].text, reference: reference).rate, 1)
        let shuffled = String(split.heldOut[0].text.reversed())
        XCTAssertLessThan(Eojeol.realWordRate(of: shuffled, reference: reference).rate, 0.2)
    }
}

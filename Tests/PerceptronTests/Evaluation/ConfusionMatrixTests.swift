import Testing

@testable import Perceptron

@Test func confusionMatrixCountsArgmaxAgainstLabels() throws {
    let scores = try Matrix<Float>([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
    let confusion = try ConfusionMatrix(scores: scores, labels: [1, 0, 1, 2])
    #expect(confusion.counts == [[1, 0, 0], [0, 1, 1], [0, 1, 0]])
    #expect(confusion.total == 4)
    #expect(confusion.accuracy == 0.5)
    #expect(confusion.perClassAccuracy == [1, 0.5, 0])
}

@Test func confusionMatrixArgmaxTakesTheFirstOfTiesAndIgnoresNaN() throws {
    let scores = try Matrix<Double>([[2, 2, 1], [.nan, 1, 3]])
    #expect(ConfusionMatrix.argmax(scores, row: 0) == 0)
    #expect(ConfusionMatrix.argmax(scores, row: 1) == 2)
}

@Test func confusionMatrixRejectsLabelsOutsideTheClassesNamingThem() throws {
    let scores = Matrix<Float>(rows: 2, columns: 3)
    #expect(throws: ShapeError.self) { try ConfusionMatrix(scores: scores, labels: [0]) }
    do {
        _ = try ConfusionMatrix(scores: scores, labels: [0, 3])
        Issue.record("label 3 of 3 classes was accepted")
    } catch {
        #expect(error.description.contains("label 3"))
    }
}

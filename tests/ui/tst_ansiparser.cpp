#include "log/AnsiParser.h"

#include <QTest>

using Op = AnsiParser::Op;

class TestAnsiParser : public QObject
{
    Q_OBJECT

private:
    static QString describe(const QList<Op> &ops)
    {
        // "T(text|fg)" / "N" / "R" / "C": compact for comparisons.
        QStringList parts;
        for (const Op &op : ops) {
            switch (op.kind) {
            case Op::Kind::Text: {
                QString fg = op.format.hasProperty(QTextFormat::ForegroundBrush)
                                 ? op.format.foreground().color().name()
                                 : QStringLiteral("-");
                if (op.format.fontWeight() == QFont::Bold)
                    fg += QStringLiteral("/b");
                parts << QStringLiteral("T(%1|%2)").arg(op.text, fg);
                break;
            }
            case Op::Kind::Newline: parts << QStringLiteral("N"); break;
            case Op::Kind::CarriageReturn: parts << QStringLiteral("R"); break;
            case Op::Kind::ClearScreen: parts << QStringLiteral("C"); break;
            }
        }
        return parts.join(QLatin1Char(' '));
    }

    static QString run(const QStringList &chunks)
    {
        AnsiParser parser;
        QList<Op> ops;
        for (const QString &chunk : chunks)
            parser.parse(chunk, ops);
        return describe(ops);
    }

private slots:
    void parse_data()
    {
        const QString red = AnsiParser::paletteColor(1).name();
        const QString brightGreen = AnsiParser::paletteColor(10).name();
        QTest::addColumn<QStringList>("chunks");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain lines")
            << QStringList{QStringLiteral("a\nb\n")} << QStringLiteral("T(a|-) N T(b|-) N");
        QTest::newRow("sgr red then reset")
            << QStringList{QStringLiteral("\x1b[31mred\x1b[0m plain")}
            << QStringLiteral("T(red|%1) T( plain|-)").arg(red);
        QTest::newRow("escape split across chunks")
            << QStringList{QStringLiteral("x\x1b"), QStringLiteral("[3"), QStringLiteral("1;1mred")}
            << QStringLiteral("T(x|-) T(red|%1/b)").arg(red);
        QTest::newRow("bright colour") << QStringList{QStringLiteral("\x1b[92mok")}
                                       << QStringLiteral("T(ok|%1)").arg(brightGreen);
        QTest::newRow("crlf is one newline")
            << QStringList{QStringLiteral("a\r"), QStringLiteral("\nb")}
            << QStringLiteral("T(a|-) N T(b|-)");
        QTest::newRow("carriage return overwrites")
            << QStringList{QStringLiteral("10%\r20%\n")} << QStringLiteral("T(10%|-) R T(20%|-) N");
        QTest::newRow("home and clear start over")
            << QStringList{QStringLiteral("old\n\x1b[H\x1b[2Jnew")}
            << QStringLiteral("T(old|-) N C T(new|-)");
        QTest::newRow("private modes and titles dropped")
            << QStringList{QStringLiteral("\x1b[?25l\x1b]0;title\x07text\x1b[K")}
            << QStringLiteral("T(text|-)");
        QTest::newRow("bell and backspace dropped") << QStringList{QStringLiteral("a\x07\x08"
                                                                                  "b")}
                                                    << QStringLiteral("T(ab|-)");
    }

    void parse()
    {
        QFETCH(QStringList, chunks);
        QFETCH(QString, expected);
        QCOMPARE(run(chunks), expected);
    }

    void baseFormatSurvivesReset()
    {
        QTextCharFormat base;
        base.setForeground(QColor(Qt::darkRed));
        AnsiParser parser(base);
        QList<Op> ops;
        parser.parse(QStringLiteral("\x1b[32mg\x1b[0mr"), ops);
        QCOMPARE(ops.size(), 2);
        QCOMPARE(ops.at(1).format.foreground().color(), QColor(Qt::darkRed));
    }

    void skipKeepsColourState()
    {
        AnsiParser parser;
        parser.skip(QByteArrayView("lots of text \x1b[3"));
        parser.skip(QByteArrayView("4m more text"));
        QList<Op> ops;
        parser.parse(QStringLiteral("blue"), ops);
        QCOMPARE(describe(ops),
                 QStringLiteral("T(blue|%1)").arg(AnsiParser::paletteColor(4).name()));
    }
};

QTEST_GUILESS_MAIN(TestAnsiParser)
#include "tst_ansiparser.moc"

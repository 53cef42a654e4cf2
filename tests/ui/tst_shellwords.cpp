#include "common/ShellWords.h"

#include <QTest>

class TestShellWords : public QObject
{
    Q_OBJECT

private slots:
    void split_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("empty") << QString() << QStringList();
        QTest::newRow("blanks only") << QStringLiteral("  \t ") << QStringList();
        QTest::newRow("plain words")
            << QStringLiteral("nvidia-smi -l 1")
            << QStringList{QStringLiteral("nvidia-smi"), QStringLiteral("-l"), QStringLiteral("1")};
        QTest::newRow("single quotes keep everything")
            << QStringLiteral("sh -c 'echo \"$HOME\" \\n'")
            << QStringList{QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("echo \"$HOME\" \\n")};
        QTest::newRow("double quotes with escapes")
            << QStringLiteral("echo \"a \\\"b\\\" \\\\ \\x\"")
            << QStringList{QStringLiteral("echo"), QStringLiteral("a \"b\" \\ \\x")};
        QTest::newRow("empty quoted word")
            << QStringLiteral("printf ''") << QStringList{QStringLiteral("printf"), QString()};
        QTest::newRow("backslash blank")
            << QStringLiteral("ls my\\ dir")
            << QStringList{QStringLiteral("ls"), QStringLiteral("my dir")};
        QTest::newRow("adjacent quotes join")
            << QStringLiteral("a'b'\"c\"d") << QStringList{QStringLiteral("abcd")};
    }

    void split()
    {
        QFETCH(QString, line);
        QFETCH(QStringList, words);
        const Result<QStringList> result = ShellWords::split(line);
        QVERIFY2(result.ok(), qPrintable(result.error().message()));
        QCOMPARE(result.value(), words);
        // join quotes so that splitting gives the same words back
        const Result<QStringList> again = ShellWords::split(ShellWords::join(words));
        QVERIFY(again.ok());
        QCOMPARE(again.value(), words);
    }

    void unclosedQuote()
    {
        const Result<QStringList> result = ShellWords::split(QStringLiteral("sh -c 'echo"));
        QVERIFY(!result.ok());
        QVERIFY(result.error().message().contains(QLatin1String("unclosed")));
    }
};

QTEST_GUILESS_MAIN(TestShellWords)
#include "tst_shellwords.moc"

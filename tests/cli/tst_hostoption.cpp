#include "cli/CommandLine.h"

#include <QTest>

// -H/--host as the window and the headless commands both read it (CommandLine::takeHost).
class TestHostOption : public QObject
{
    Q_OBJECT

private slots:
    void takeHost_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("host");
        QTest::addColumn<QStringList>("rest");
        const auto row = [](const char *name, const char *args, const char *host,
                            const char *rest) {
            const auto words = [](const char *line) {
                return QString::fromLatin1(line).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            };
            QTest::newRow(name) << words(args) << QString::fromLatin1(host) << words(rest);
        };
        row("none", "images", "", "images");
        row("-H before the command", "-H unix:///a.sock images", "unix:///a.sock", "images");
        row("--host after the command", "images --host unix:///a.sock --json", "unix:///a.sock",
            "images --json");
        row("--host=", "--host=unix:///a.sock gpus", "unix:///a.sock", "gpus");
        row("the last one wins", "-H unix:///a.sock ps -H tcp://b:2375", "tcp://b:2375", "ps");
        row("-H at the end stays for the caller to refuse", "images -H", "", "images -H");
        row("-H takes what follows it", "-H --host=x ps", "--host=x", "ps");
    }

    void takeHost()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, host);
        QFETCH(QStringList, rest);
        QCOMPARE(CommandLine::takeHost(args), host);
        QCOMPARE(args, rest);
    }
};

QTEST_GUILESS_MAIN(TestHostOption)
#include "tst_hostoption.moc"

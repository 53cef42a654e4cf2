#include "TestEngine.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <QUuid>

#include <csignal>
#include <cstdlib>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <vector>

// gpudeck exec against the real engine (local, ssh:// or TLS): exit codes as docker exec gives
// them, the options, stdin byte-exact, and -it under a pseudo-terminal the test makes.
class TestExecCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void exitCodes_data();
    void exitCodes();
    void options();
    void stdinByteExact();
    void ttyEchoesAndRestores();
    void ttyRestoredOnSignal_data();
    void ttyRestoredOnSignal();
    void runInteractive();
    void runTtyEchoesAndRestores();
    void usage();

private:
    static TestEngine::CliResult gpudeck(const QStringList &args);
    QString presetFile(const QString &command);
    QTemporaryDir m_presets;
    QString m_container;
};

TestEngine::CliResult TestExecCommand::gpudeck(const QStringList &args)
{
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, {}, 60000);
}

void TestExecCommand::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    m_container =
        QStringLiteral("gpudeck-exec-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
    const TestEngine::CliResult run = TestEngine::docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), m_container,
         QStringLiteral("gpudeck-test"), QStringLiteral("sleep"), QStringLiteral("1000")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

void TestExecCommand::cleanupTestCase()
{
    if (!m_container.isEmpty())
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), m_container});
}

void TestExecCommand::exitCodes_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::newRow("exit 7") << QStringList{QStringLiteral("sh"), QStringLiteral("-c"),
                                           QStringLiteral("exit 7")};
    QTest::newRow("success") << QStringList{QStringLiteral("true")};
    QTest::newRow("command not found") << QStringList{QStringLiteral("no-such-command")};
    QTest::newRow("not executable") << QStringList{QStringLiteral("/etc")};
}

void TestExecCommand::exitCodes()
{
    QFETCH(QStringList, command);
    const TestEngine::CliResult ours = gpudeck(QStringList{QStringLiteral("exec"), m_container}
                                               + command);
    const TestEngine::CliResult theirs = TestEngine::docker(
        QStringList{QStringLiteral("exec"), m_container} + command);
    QCOMPARE(ours.exitCode, theirs.exitCode);
}

void TestExecCommand::options()
{
    const TestEngine::CliResult result = gpudeck(
        {QStringLiteral("exec"), QStringLiteral("-u"), QStringLiteral("1000:1000"),
         QStringLiteral("-w"), QStringLiteral("/bin"), QStringLiteral("-e"),
         QStringLiteral("GREETING=hi there"), m_container, QStringLiteral("sh"),
         QStringLiteral("-c"),
         QStringLiteral("busybox id -u; busybox pwd; echo \"$GREETING\"; echo err >&2")});
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out, QByteArray("1000\n/bin\nhi there\n"));
    QCOMPARE(result.err, QByteArray("err\n"));

    const TestEngine::CliResult missing = gpudeck({QStringLiteral("exec"),
                                                   QStringLiteral("gpudeck-no-such-container"),
                                                   QStringLiteral("true")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.contains("No such container"));
    QCOMPARE(missing.err.count('\n'), 1); // one sentence
}

void TestExecCommand::stdinByteExact()
{
    QByteArray input(8 * 1024 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(25);
    generator.fillRange(reinterpret_cast<quint32 *>(input.data()),
                        input.size() / qsizetype(sizeof(quint32)));
    QTemporaryFile file;
    QVERIFY(file.open());
    QCOMPARE(file.write(input), input.size());
    file.close();

    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), TestEngine::host());
    process.setProcessEnvironment(env);
    process.setStandardInputFile(file.fileName());
    process.start(QStringLiteral(GPUDECK_BINARY),
                  {QStringLiteral("exec"), QStringLiteral("-i"), m_container, QStringLiteral("sh"),
                   QStringLiteral("-c"), QStringLiteral("sha256sum >&2; exit 3")});
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 3);
    const QByteArray expected = QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex();
    QCOMPARE(process.readAllStandardError().left(64), expected);

    // And back out again, unchanged.
    process.start(QStringLiteral(GPUDECK_BINARY), {QStringLiteral("exec"), QStringLiteral("-i"),
                                                   m_container, QStringLiteral("cat")});
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(QCryptographicHash::hash(process.readAllStandardOutput(), QCryptographicHash::Sha256)
                 .toHex(),
             expected);
}

namespace {

// Reads the pseudo-terminal until `needle` came or the deadline passed.
bool readUntil(int master, QByteArray &seen, const QByteArray &needle, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!seen.contains(needle)) {
        struct pollfd fd = {master, POLLIN, 0};
        const int left = int(deadline.remainingTime());
        if (left <= 0 || ::poll(&fd, 1, left) <= 0)
            return false;
        char buffer[4096];
        const ssize_t n = ::read(master, buffer, sizeof buffer);
        if (n <= 0)
            return false;
        seen.append(buffer, n);
    }
    return true;
}

// The size goes to the engine once the command runs, on a call of its own that may come after
// the first keys (over ssh, a new channel): asks `stty size` until the shell sees `size`.
bool askSizeUntil(int master, QByteArray &seen, const QByteArray &size)
{
    const QByteArray ask = "busybox stty size\r";
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (::write(master, ask.constData(), size_t(ask.size())) != ssize_t(ask.size()))
            return false;
        if (readUntil(master, seen, size, 1000))
            return true;
    }
    return false;
}

// gpudeck with these arguments, the pseudo-terminal's slave as its controlling terminal.
pid_t spawnOnTerminal(int master, int slave, const QList<QByteArray> &args)
{
    const QByteArray binary = GPUDECK_BINARY;
    const QByteArray host = TestEngine::host().toUtf8();
    std::vector<char *> argv{const_cast<char *>(binary.constData())};
    for (const QByteArray &arg : args)
        argv.push_back(const_cast<char *>(arg.constData()));
    argv.push_back(nullptr);
    const pid_t child = ::fork();
    if (child == 0) {
        ::setsid();
        ::ioctl(slave, TIOCSCTTY, 0);
        ::dup2(slave, 0);
        ::dup2(slave, 1);
        ::dup2(slave, 2);
        ::close(master);
        ::setenv("DOCKER_HOST", host.constData(), 1);
        ::execv(binary.constData(), argv.data());
        ::_exit(127);
    }
    return child;
}

// Waits for the child to end, reading its terminal meanwhile so that it never blocks on output;
// kills it after the deadline.
bool reap(int master, pid_t child, QByteArray &seen, int &status)
{
    QDeadlineTimer deadline(20000);
    pid_t done = 0;
    while (done == 0 && !deadline.hasExpired()) {
        readUntil(master, seen, "\x01never", 50);
        done = ::waitpid(child, &status, WNOHANG);
    }
    if (done == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
    }
    return done == child;
}

} // namespace

void TestExecCommand::ttyEchoesAndRestores()
{
    int master = -1;
    int slave = -1;
    struct winsize size = {};
    size.ws_row = 21;
    size.ws_col = 61;
    QVERIFY(::openpty(&master, &slave, nullptr, nullptr, &size) == 0);
    struct termios before;
    QVERIFY(::tcgetattr(slave, &before) == 0);
    QVERIFY(before.c_lflag & ICANON);

    const pid_t child = spawnOnTerminal(master, slave, {"exec", "-it", m_container.toUtf8(), "sh"});
    QVERIFY(child > 0);

    QByteArray seen;
    QVERIFY2(readUntil(master, seen, "/ #", 30000), seen.constData());
    // Raw while the command runs: no local echo, no line editing.
    struct termios during;
    QVERIFY(::tcgetattr(slave, &during) == 0);
    QVERIFY(!(during.c_lflag & (ICANON | ECHO)));
    const QByteArray typed = "echo typed-$((6*7))\r";
    QCOMPARE(::write(master, typed.constData(), size_t(typed.size())), ssize_t(typed.size()));
    QVERIFY2(readUntil(master, seen, "typed-42", 20000), seen.constData());
    QVERIFY2(askSizeUntil(master, seen, "21 61"), seen.constData());
    // The typed line came back as the container's terminal echoed it.
    QVERIFY(seen.contains("echo typed-$((6*7))"));

    const QByteArray exit = "exit 4\r";
    QCOMPARE(::write(master, exit.constData(), size_t(exit.size())), ssize_t(exit.size()));
    int status = 0;
    QVERIFY(reap(master, child, seen, status));
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 4);
    struct termios after;
    QVERIFY(::tcgetattr(slave, &after) == 0);
    QCOMPARE(after.c_lflag, before.c_lflag);
    QCOMPARE(after.c_iflag, before.c_iflag);
    QCOMPARE(after.c_oflag, before.c_oflag);
    ::close(master);
    ::close(slave);
}

void TestExecCommand::ttyRestoredOnSignal_data()
{
    QTest::addColumn<int>("signal");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGQUIT (Ctrl+\\ where the mode has signals)") << int(SIGQUIT);
    QTest::newRow("SIGHUP") << int(SIGHUP);
}

void TestExecCommand::ttyRestoredOnSignal()
{
    QFETCH(int, signal);
    int master = -1;
    int slave = -1;
    QVERIFY(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    struct termios before;
    QVERIFY(::tcgetattr(slave, &before) == 0);
    const pid_t child = spawnOnTerminal(master, slave, {"exec", "-it", m_container.toUtf8(), "sh"});
    QVERIFY(child > 0);
    QByteArray seen;
    QVERIFY2(readUntil(master, seen, "/ #", 30000), seen.constData());
    struct termios during;
    QVERIFY(::tcgetattr(slave, &during) == 0);
    QVERIFY(!(during.c_lflag & ICANON));
    QCOMPARE(::kill(child, signal), 0);
    int status = 0;
    QVERIFY(reap(master, child, seen, status));
    QVERIFY(WIFSIGNALED(status));
    QCOMPARE(WTERMSIG(status), signal);
    struct termios after;
    QVERIFY(::tcgetattr(slave, &after) == 0);
    QCOMPARE(after.c_lflag, before.c_lflag);
    QCOMPARE(after.c_iflag, before.c_iflag);
    ::close(master);
    ::close(slave);
}

QString TestExecCommand::presetFile(const QString &command)
{
    const QJsonObject preset{
        {QStringLiteral("format"), QStringLiteral("gpudeck-preset")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("name"), QStringLiteral("interactive")},
        {QStringLiteral("image"), QStringLiteral("gpudeck-test")},
        {QStringLiteral("command"),
         QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"), command}},
        {QStringLiteral("gpus"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("none")}}},
        {QStringLiteral("autoRemove"), true},
    };
    const QString path = m_presets.filePath(QUuid::createUuid().toString(QUuid::Id128)
                                            + QStringLiteral(".json"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(QJsonDocument(preset).toJson());
    return path;
}

void TestExecCommand::runInteractive()
{
    const QByteArray input = QByteArray("line one\n") + QByteArray(300000, 'x') + "\nend";
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write(input);
    file.close();
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), TestEngine::host());
    process.setProcessEnvironment(env);
    process.setStandardInputFile(file.fileName());
    process.start(QStringLiteral(GPUDECK_BINARY),
                  {QStringLiteral("run"), QStringLiteral("-i"), QStringLiteral("--preset"),
                   presetFile(QStringLiteral("sha256sum; exit 5"))});
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 5);
    QCOMPARE(process.readAllStandardOutput().left(64),
             QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex());
}

void TestExecCommand::runTtyEchoesAndRestores()
{
    int master = -1;
    int slave = -1;
    struct winsize size = {};
    size.ws_row = 22;
    size.ws_col = 66;
    QVERIFY(::openpty(&master, &slave, nullptr, nullptr, &size) == 0);
    struct termios before;
    QVERIFY(::tcgetattr(slave, &before) == 0);
    const pid_t child = spawnOnTerminal(master, slave,
                                        {"run", "-it", "--preset",
                                         presetFile(QStringLiteral("exec sh")).toUtf8()});
    QVERIFY(child > 0);
    QByteArray seen;
    QVERIFY2(readUntil(master, seen, "/ #", 30000), seen.constData());
    const QByteArray typed = "echo run-$((6*7))\r";
    QCOMPARE(::write(master, typed.constData(), size_t(typed.size())), ssize_t(typed.size()));
    QVERIFY2(readUntil(master, seen, "run-42", 20000), seen.constData());
    QVERIFY2(askSizeUntil(master, seen, "22 66"), seen.constData());
    const QByteArray exit = "exit 6\r";
    QCOMPARE(::write(master, exit.constData(), size_t(exit.size())), ssize_t(exit.size()));
    int status = 0;
    QVERIFY(reap(master, child, seen, status));
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 6);
    struct termios after;
    QVERIFY(::tcgetattr(slave, &after) == 0);
    QCOMPARE(after.c_lflag, before.c_lflag);
    ::close(master);
    ::close(slave);
}

void TestExecCommand::usage()
{
    const TestEngine::CliResult result = gpudeck({QStringLiteral("exec"), m_container});
    QCOMPARE(result.exitCode, 2);
    const TestEngine::CliResult help = gpudeck({QStringLiteral("--help")});
    QVERIFY(help.out.contains("exec [-i|--interactive] [-t|--tty]"));
}

QTEST_GUILESS_MAIN(TestExecCommand)
#include "tst_execcommand.moc"

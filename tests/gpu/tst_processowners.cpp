#include "engine/ContainerDirectory.h"
#include "gpu/ProcessOwners.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

// Owners of GPU processes from a /proc tree written by the test (containers, host processes,
// gone processes, PID reuse), the directory's names, the JSON, and the remote host's command run
// here for real.
namespace {

const QString kIdA = QString(64, QLatin1Char('a'));
const QString kIdB = QString(64, QLatin1Char('b'));

void writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(content);
}

void writeProcess(const QDir &root, qint64 pid, qint64 start, const QByteArray &cgroup, uint uid,
                  const QByteArray &cmdline)
{
    const QString dir = root.filePath(QString::number(pid));
    QVERIFY(QDir().mkpath(dir));
    // Field 2 holds spaces and a ")": the start time is still field 22.
    writeFile(dir + QStringLiteral("/stat"),
              QByteArray::number(pid)
                  + " (odd ) name) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
                  + QByteArray::number(start) + " 1000 100 18446744073709551615\n");
    writeFile(dir + QStringLiteral("/cgroup"), cgroup);
    writeFile(dir + QStringLiteral("/status"),
              "Name:\tpython\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t" + QByteArray::number(uid)
                  + "\t" + QByteArray::number(uid) + "\t0\t0\nGid:\t0\t0\t0\t0\n");
    writeFile(dir + QStringLiteral("/cmdline"), cmdline);
    writeFile(dir + QStringLiteral("/comm"), "kworker\n");
}

GpuSnapshot snapshotOf(const QList<qint64> &pids)
{
    GpuSnapshot s;
    GpuInfo g;
    g.index = 0;
    g.processesKnown = true;
    for (qint64 pid : pids) {
        GpuInfo::Process p;
        p.pid = pid;
        p.usedMemory = 40LL << 30;
        g.processes.append(p);
    }
    s.gpus.append(g);
    return s;
}

} // namespace

class TestProcessOwners : public QObject
{
    Q_OBJECT
private slots:
    void namesContainersAndUsers();
    void readsOncePerProcess();
    void directoryNamesAndYours();
    void json();
    void remoteCommandRunsHere();
};

void TestProcessOwners::namesContainersAndUsers()
{
    QTemporaryDir tmp;
    const QDir root(tmp.path());
    writeProcess(root, 101, 5000, "0::/system.slice/docker-" + kIdA.toLatin1() + ".scope\n", 0,
                 QByteArray("python\0train.py\0--epochs\0"
                            "3\0",
                            27));
    writeProcess(root, 102, 6000, "0::/user.slice/user-0.slice/session-1.scope\n", 0,
                 QByteArray("python\0eval.py\0", 15));
    writeProcess(root, 103, 7000, "0::/\n", 0, QByteArray()); // a kernel thread: no cmdline
    ProcessOwners owners(tmp.path());
    GpuSnapshot s = snapshotOf({101, 102, 103, 104});
    owners.annotate(s);
    const QList<GpuInfo::Process> &p = s.gpus.at(0).processes;

    QCOMPARE(p.at(0).container.id, kIdA);
    QCOMPARE(p.at(0).container.engine, QStringLiteral("docker"));
    QCOMPARE(p.at(0).container.name, QString()); // no directory: the ID only
    QCOMPARE(p.at(0).ownerLabel(), kIdA.left(12) + QStringLiteral(" (container)"));
    QCOMPARE(p.at(0).command, QStringLiteral("python train.py --epochs 3"));

    QVERIFY(!p.at(1).inContainer());
    QCOMPARE(p.at(1).user, QStringLiteral("root"));
    QCOMPARE(p.at(1).ownerLabel(), QStringLiteral("root: python eval.py"));

    QCOMPARE(p.at(2).command, QStringLiteral("kworker"));

    QVERIFY(!p.at(3).ownerKnown());
    QCOMPARE(p.at(3).ownerLabel(), QStringLiteral("unknown"));
    QVERIFY2(p.at(3).unknownReason.contains(QLatin1String("PID namespace")),
             qPrintable(p.at(3).unknownReason));
}

void TestProcessOwners::readsOncePerProcess()
{
    QTemporaryDir tmp;
    const QDir root(tmp.path());
    writeProcess(root, 201, 100, "0::/\n", 0, QByteArray("first\0", 6));
    ProcessOwners owners(tmp.path());
    GpuSnapshot s = snapshotOf({201});
    owners.annotate(s);
    QCOMPARE(s.gpus.at(0).processes.at(0).command, QStringLiteral("first"));

    // Same PID, same start time: the cached facts stand (only stat is read).
    writeFile(root.filePath(QStringLiteral("201/cmdline")), QByteArray("second\0", 7));
    s = snapshotOf({201});
    owners.annotate(s);
    QCOMPARE(s.gpus.at(0).processes.at(0).command, QStringLiteral("first"));

    // The PID was reused by a new process: read again.
    writeProcess(root, 201, 101, "0::/docker/" + kIdB.toLatin1() + "\n", 0,
                 QByteArray("second\0", 7));
    s = snapshotOf({201});
    owners.annotate(s);
    QCOMPARE(s.gpus.at(0).processes.at(0).command, QStringLiteral("second"));
    QCOMPARE(s.gpus.at(0).processes.at(0).container.id, kIdB);
}

void TestProcessOwners::directoryNamesAndYours()
{
    QTemporaryDir tmp;
    const QDir root(tmp.path());
    writeProcess(root, 301, 1, "0::/docker/" + kIdA.toLatin1() + "\n", 0, QByteArray("a\0", 2));
    writeProcess(root, 302, 1, "0::/docker/" + kIdB.toLatin1() + "\n", 0, QByteArray("b\0", 2));
    ContainerDirectory directory(nullptr);
    directory.remember({kIdA, QStringLiteral("train-llm"), QStringLiteral("pytorch:2.4")});
    ProcessOwners owners(tmp.path());
    owners.setDirectory(&directory);
    GpuSnapshot s = snapshotOf({301, 302});
    owners.readProcesses(s);
    const QStringList waiting = owners.nameContainers(s);
    QCOMPARE(waiting, QStringList{kIdB});
    QCOMPARE(s.gpus.at(0).processes.at(0).ownerLabel(), QStringLiteral("train-llm (container)"));
    QCOMPARE(s.gpus.at(0).processes.at(0).container.image, QStringLiteral("pytorch:2.4"));

    directory.markYours(kIdA);
    owners.nameContainers(s);
    QCOMPARE(s.gpus.at(0).processes.at(0).ownerLabel(), QStringLiteral("train-llm (yours)"));

    // Events keep the names current without asking the engine.
    directory.onEvent(QJsonObject{
        {QStringLiteral("Type"), QStringLiteral("container")},
        {QStringLiteral("Action"), QStringLiteral("rename")},
        {QStringLiteral("Actor"),
         QJsonObject{{QStringLiteral("ID"), kIdA},
                     {QStringLiteral("Attributes"),
                      QJsonObject{{QStringLiteral("name"), QStringLiteral("train-llm-2")}}}}}});
    directory.onEvent(QJsonObject{
        {QStringLiteral("Type"), QStringLiteral("container")},
        {QStringLiteral("Action"), QStringLiteral("create")},
        {QStringLiteral("Actor"),
         QJsonObject{{QStringLiteral("ID"), kIdB},
                     {QStringLiteral("Attributes"),
                      QJsonObject{{QStringLiteral("name"), QStringLiteral("eval")},
                                  {QStringLiteral("image"), QStringLiteral("busybox")}}}}}});
    QVERIFY(owners.nameContainers(s).isEmpty());
    QCOMPARE(s.gpus.at(0).processes.at(0).container.name, QStringLiteral("train-llm-2"));
    QCOMPARE(s.gpus.at(0).processes.at(1).ownerLabel(), QStringLiteral("eval (container)"));
    QCOMPARE(directory.engineCalls(), 0);

    directory.onEvent(
        QJsonObject{{QStringLiteral("Type"), QStringLiteral("container")},
                    {QStringLiteral("Action"), QStringLiteral("destroy")},
                    {QStringLiteral("Actor"), QJsonObject{{QStringLiteral("ID"), kIdA}}}});
    QCOMPARE(owners.nameContainers(s), QStringList{kIdA});
}

void TestProcessOwners::json()
{
    GpuSnapshot s = snapshotOf({1, 2});
    GpuInfo::Process &c = s.gpus[0].processes[0];
    c.container = {kIdA, QStringLiteral("train-llm"), QStringLiteral("pytorch:2.4"),
                   QStringLiteral("docker"), false};
    c.user = QStringLiteral("root");
    c.command = QStringLiteral("python train.py");
    s.gpus[0].processes[1].unknownReason = QStringLiteral("gone");
    const QJsonArray list = s.toJson()
                                .value(QStringLiteral("gpus"))
                                .toArray()
                                .at(0)
                                .toObject()
                                .value(QStringLiteral("processes"))
                                .toArray();
    const QJsonObject first = list.at(0).toObject();
    const QJsonObject container = first.value(QStringLiteral("container")).toObject();
    QCOMPARE(container.value(QStringLiteral("id")).toString(), kIdA);
    QCOMPARE(container.value(QStringLiteral("name")).toString(), QStringLiteral("train-llm"));
    QCOMPARE(container.value(QStringLiteral("image")).toString(), QStringLiteral("pytorch:2.4"));
    QCOMPARE(container.value(QStringLiteral("engine")).toString(), QStringLiteral("docker"));
    QCOMPARE(first.value(QStringLiteral("user")).toString(), QStringLiteral("root"));
    QCOMPARE(first.value(QStringLiteral("command")).toString(), QStringLiteral("python train.py"));
    const QJsonObject second = list.at(1).toObject();
    QVERIFY(second.value(QStringLiteral("container")).isNull());
    QVERIFY(second.value(QStringLiteral("user")).isNull());
    QCOMPARE(second.value(QStringLiteral("unknownReason")).toString(), QStringLiteral("gone"));
}

void TestProcessOwners::remoteCommandRunsHere()
{
    // What an ssh host runs, run by this machine's sh on this test's own PID and on one that
    // cannot exist.
    const qint64 self = QCoreApplication::applicationPid();
    const QStringList argv = ProcessOwners::remoteCommand({self, 4194304 + 7});
    QProcess sh;
    sh.start(argv.first(), argv.mid(1));
    QVERIFY(sh.waitForFinished(10000));
    QCOMPARE(sh.exitCode(), 0);
    const auto facts = ProcessOwners::parseRemote(sh.readAllStandardOutput());
    QCOMPARE(facts.size(), 1);
    const ProcessOwners::Facts f = facts.value(self);
    QVERIFY(f.exists);
    QVERIFY(f.startTime > 0);
    QCOMPARE(f.user, QString::fromLocal8Bit(qgetenv("USER").isEmpty() ? QByteArray("root")
                                                                      : qgetenv("USER")));
    QVERIFY2(f.command.contains(QLatin1String("processowners")), qPrintable(f.command));

    // The same facts give the same owners as this machine's /proc.
    GpuSnapshot remote = snapshotOf({self, 4194304 + 7});
    ProcessOwners owners;
    owners.applyFacts(remote, facts);
    GpuSnapshot local = snapshotOf({self, 4194304 + 7});
    owners.readProcesses(local);
    QCOMPARE(remote.gpus.at(0).processes.at(0).ownerLabel(),
             local.gpus.at(0).processes.at(0).ownerLabel());
    QVERIFY(!remote.gpus.at(0).processes.at(1).ownerKnown());
}

QTEST_GUILESS_MAIN(TestProcessOwners)
#include "tst_processowners.moc"

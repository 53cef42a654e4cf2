// The Containers view against the real engine: containers the docker CLI makes, starts, kills,
// renames and removes reach their rows through the engine's events; the GPUs each holds; search,
// the GPU filter and sorting; Stop, Remove (a running one after the inline confirmation), Copy ID
// and Logs; and the list read again after the engine restarted.
#include "NamedChild.h"
#include "TestEngine.h"
#include "containers/ContainersView.h"

#include "containers/ContainerWatch.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"

#include <QCheckBox>
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

QString unique(const QString &stem)
{
    return QStringLiteral("gdview-%1-%2").arg(stem).arg(QCoreApplication::applicationPid());
}

// Whether the engine has the container (podman inspect exits 125 for none, docker 1).
bool exists(const QString &name)
{
    return TestEngine::engineCli({QStringLiteral("inspect"), name}).exitCode == 0;
}

// Two GPUs as the GPU panel would give them.
GpuSnapshot twoGpus()
{
    GpuSnapshot host;
    host.source = GpuSnapshot::Source::Nvml;
    for (int i = 0; i < 2; ++i) {
        GpuInfo gpu;
        gpu.index = i;
        gpu.uuid = QStringLiteral("GPU-view-%1").arg(i);
        host.gpus << gpu;
    }
    return host;
}

} // namespace

class TestContainersView : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void eventsReachTheRows();
    void searchFilterAndSort();
    void actions();
    void engineRestartListsAgain();

private:
    // The cell of the row whose name is name; empty when no row shows it.
    QString cell(const QString &name, int column) const;
    int visibleRows() const;
    QString run(const QString &stem, const QStringList &options,
                const QStringList &command = {QStringLiteral("sleep"), QStringLiteral("600")});

    DockerClient *m_client = nullptr;
    ContainersView *m_view = nullptr;
    QTableView *m_table = nullptr;
    QStringList m_made;
};

void TestContainersView::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    QVERIFY(endpoint.ok());
    m_client = new DockerClient(endpoint.value(), this);
}

void TestContainersView::cleanupTestCase()
{
    if (!m_made.isEmpty())
        TestEngine::engineCli(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + m_made);
}

void TestContainersView::init()
{
    m_view = new ContainersView(m_client);
    m_view->resize(900, 500);
    m_view->show();
    m_table = child<QTableView>(m_view, "containersTable");
    QVERIFY(m_table);
    QSignalSpy listed(m_view->containerWatch(), &ContainerWatch::listed);
    QVERIFY(listed.wait(10000));
}

void TestContainersView::cleanup()
{
    delete m_view;
    m_view = nullptr;
}

QString TestContainersView::run(const QString &stem, const QStringList &options,
                                const QStringList &command)
{
    const QString name = unique(stem);
    m_made << name;
    const TestEngine::CliResult ran = TestEngine::engineCli(
        QStringList{QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
                    QStringLiteral("none"), QStringLiteral("--name"), name}
        + options + QStringList{kImage} + command);
    return ran.exitCode == 0 ? name : QString::fromUtf8(ran.err);
}

QString TestContainersView::cell(const QString &name, int column) const
{
    const QAbstractItemModel *model = m_table->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, ContainersModel::Name).data().toString() == name)
            return model->index(row, column).data().toString();
    }
    return {};
}

int TestContainersView::visibleRows() const
{
    return m_table->model()->rowCount();
}

void TestContainersView::eventsReachTheRows()
{
    const bool podman = TestEngine::isPodman();
    const QString name = run(QStringLiteral("events"),
                             podman ? TestEngine::podmanGpuDevices({1})
                                    : QStringList{QStringLiteral("--gpus"),
                                                  QStringLiteral("device=1")});
    QVERIFY2(name.startsWith(QLatin1String("gdview-")), qPrintable(name));
    // Created and started by the docker CLI: the row comes from the events, within a second.
    QTRY_VERIFY_WITH_TIMEOUT(cell(name, ContainersModel::Status).startsWith(QLatin1String("Up")),
                             1000);
    QCOMPARE(cell(name, ContainersModel::Image), TestEngine::engineImageName(kImage));
    // Without the host's GPUs the request shows; with them the index.
    QCOMPARE(cell(name, ContainersModel::Gpus),
             podman ? QStringLiteral("device nodes /dev/nvidia1 (host GPUs unknown)")
                    : QStringLiteral("device=1 (host GPUs unknown)"));
    m_view->setHostGpus(twoGpus());
    QCOMPARE(cell(name, ContainersModel::Gpus), QStringLiteral("1"));

    // Killed: the exit code, within a second.
    QCOMPARE(TestEngine::engineCli({QStringLiteral("kill"), name}).exitCode, 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        cell(name, ContainersModel::Status).startsWith(QLatin1String("Exited (137)")), 1000);

    // Renamed, then removed.
    const QString renamed = name + QStringLiteral("-renamed");
    m_made << renamed;
    QCOMPARE(TestEngine::engineCli({QStringLiteral("rename"), name, renamed}).exitCode, 0);
    QTRY_VERIFY_WITH_TIMEOUT(!cell(renamed, ContainersModel::Status).isEmpty(), 1000);
    QVERIFY(cell(name, ContainersModel::Status).isEmpty());
    QCOMPARE(TestEngine::engineCli({QStringLiteral("rm"), renamed}).exitCode, 0);
    QTRY_VERIFY_WITH_TIMEOUT(cell(renamed, ContainersModel::Status).isEmpty(), 1000);
}

void TestContainersView::searchFilterAndSort()
{
    const QString gpu = run(QStringLiteral("sgpu"),
                            TestEngine::isPodman()
                                ? TestEngine::podmanGpuDevices({0, 1})
                                : QStringList{QStringLiteral("--gpus"), QStringLiteral("all")});
    const QString plain = run(QStringLiteral("splain"), {});
    QVERIFY2(gpu.startsWith(QLatin1String("gdview-")), qPrintable(gpu));
    QVERIFY2(plain.startsWith(QLatin1String("gdview-")), qPrintable(plain));
    QTRY_VERIFY_WITH_TIMEOUT(!cell(gpu, ContainersModel::Status).isEmpty()
                                 && !cell(plain, ContainersModel::Status).isEmpty(),
                             2000);

    auto *search = child<QLineEdit>(m_view, "containerSearch");
    auto *gpuOnly = child<QCheckBox>(m_view, "gpuContainersOnly");
    QVERIFY(search && gpuOnly);
    QTest::keyClicks(search, QStringLiteral("splain"));
    QCOMPARE(visibleRows(), 1);
    QCOMPARE(cell(plain, ContainersModel::Name), plain);
    search->clear();
    QTest::keyClicks(search, QStringLiteral("GPUDECK-TEST")); // the image, any case
    QVERIFY(visibleRows() >= 2);
    search->clear();

    gpuOnly->setChecked(true);
    QVERIFY(cell(plain, ContainersModel::Name).isEmpty());
    QCOMPARE(cell(gpu, ContainersModel::Name), gpu);
    gpuOnly->setChecked(false);
    QCOMPARE(cell(plain, ContainersModel::Name), plain);

    // Sorting by name, both ways.
    m_table->sortByColumn(ContainersModel::Name, Qt::AscendingOrder);
    const QAbstractItemModel *model = m_table->model();
    QStringList names;
    for (int row = 0; row < model->rowCount(); ++row)
        names << model->index(row, ContainersModel::Name).data().toString();
    QStringList sorted = names;
    std::sort(sorted.begin(), sorted.end(),
              [](const QString &a, const QString &b) { return a.toLower() < b.toLower(); });
    QCOMPARE(names, sorted);
    m_table->sortByColumn(ContainersModel::Name, Qt::DescendingOrder);
    QCOMPARE(model->index(0, ContainersModel::Name).data().toString(), sorted.last());
}

void TestContainersView::actions()
{
    const QString name = run(QStringLiteral("act"), {});
    QVERIFY2(name.startsWith(QLatin1String("gdview-")), qPrintable(name));
    QTRY_VERIFY_WITH_TIMEOUT(m_view->selectContainer(name), 2000);

    auto *stop = child<QPushButton>(m_view, "stopContainer");
    auto *remove = child<QPushButton>(m_view, "removeContainer");
    auto *copy = child<QPushButton>(m_view, "copyContainerId");
    auto *logs = child<QPushButton>(m_view, "containerLogs");
    auto *confirm = child<QWidget>(m_view, "removeConfirm");
    auto *confirmRemove = child<QPushButton>(m_view, "confirmRemove");
    auto *cancelRemove = child<QPushButton>(m_view, "cancelRemove");
    QVERIFY(stop && remove && copy && logs && confirm && confirmRemove && cancelRemove);
    QVERIFY(stop->isEnabled());

    // Copy ID and Logs.
    const QString id = m_view->selectedId();
    QCOMPARE(id.size(), 64);
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), id);
    QSignalSpy logsRequested(m_view, &ContainersView::logsRequested);
    QTest::mouseClick(logs, Qt::LeftButton);
    QCOMPARE(logsRequested.size(), 1);
    QCOMPARE(logsRequested.first().at(0).toString(), id);
    QCOMPARE(logsRequested.first().at(1).toString(), name);
    QCOMPARE(logsRequested.first().at(2).toBool(), false);

    // Remove while running: asks once, inline; Cancel keeps it.
    QTest::mouseClick(remove, Qt::LeftButton);
    QVERIFY(confirm->isVisible());
    QTest::mouseClick(cancelRemove, Qt::LeftButton);
    QVERIFY(!confirm->isVisible());
    QVERIFY(exists(name));

    // Stop: the row says it exited (sleep ignores SIGTERM as PID 1: killed after the grace).
    QTest::mouseClick(stop, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        cell(name, ContainersModel::Status).startsWith(QLatin1String("Exited")), 15000);
    QTRY_VERIFY(!stop->isEnabled());

    // Remove a stopped one: no question, the row goes with the destroy event.
    QVERIFY(m_view->selectContainer(name));
    QTest::mouseClick(remove, Qt::LeftButton);
    QVERIFY(!confirm->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(cell(name, ContainersModel::Status).isEmpty(), 2000);
    QVERIFY(!exists(name));

    // Remove a running one after confirming.
    const QString running = run(QStringLiteral("act2"), {});
    QTRY_VERIFY_WITH_TIMEOUT(m_view->selectContainer(running), 2000);
    QTest::mouseClick(remove, Qt::LeftButton);
    QVERIFY(confirm->isVisible());
    QTest::mouseClick(confirmRemove, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(cell(running, ContainersModel::Status).isEmpty(), 5000);
    QVERIFY(!exists(running));

    // A container gone by the time Stop is pressed: the docker CLI removes it while the view
    // has not handled the destroy event yet (QProcess's wait runs no event loop). One sentence
    // under the table, then the row goes.
    const QString gone = run(QStringLiteral("gone"), {});
    QTRY_VERIFY_WITH_TIMEOUT(m_view->selectContainer(gone), 2000);
    QVERIFY(stop->isEnabled());
    QCOMPARE(TestEngine::engineCli({QStringLiteral("rm"), QStringLiteral("-f"), gone}).exitCode, 0);
    QTest::mouseClick(stop, Qt::LeftButton);
    auto *status = child<QLabel>(m_view, "containersStatus");
    QVERIFY(status);
    QTRY_VERIFY_WITH_TIMEOUT(status->isVisible(), 2000);
    QVERIFY2(status->text().startsWith(QStringLiteral("Cannot stop ") + gone),
             qPrintable(status->text()));
    QVERIFY(!status->text().contains(QLatin1Char('\n')));
    QTRY_VERIFY_WITH_TIMEOUT(cell(gone, ContainersModel::Status).isEmpty(), 2000);
}

// An engine of the test's own, stopped and started again under the view: the view says the
// engine is gone, then lists again and follows the new events stream (a container made after the
// restart appears). A dockerd's restart stops its containers (the row shows the exit); Podman's
// service stops alone, its containers run on under conmon.
void TestContainersView::engineRestartListsAgain()
{
    const bool podman = TestEngine::isPodman();
    QTemporaryDir dir(QStringLiteral("/tmp/gdctrview-XXXXXX"));
    QVERIFY(dir.isValid());
    const QString engineDir = dir.filePath(QStringLiteral("engine"));
    const QString script = QStringLiteral(GPUDECK_SOURCE_DIR "/tests/scripts/")
                           + (podman ? QStringLiteral("test-podman.sh")
                                     : QStringLiteral("test-engine.sh"));
    const auto lastLine = [](const TestEngine::CliResult &started) {
        return started.exitCode == 0 ? QString::fromUtf8(started.out.trimmed().split('\n').last())
                                     : QString();
    };
    const QString host = lastLine(
        TestEngine::runProgram(script, {QStringLiteral("start"), engineDir}, {}, 170000));
    QVERIFY(host.startsWith(QLatin1String("unix://")));
    const auto cli = [&host, podman](const QStringList &args) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DOCKER_HOST"), host);
        env.remove(QStringLiteral("DOCKER_TLS_VERIFY"));
        process.setProcessEnvironment(env);
        if (podman)
            process.start(QStringLiteral("podman"),
                          QStringList{QStringLiteral("--url"), host} + args);
        else
            process.start(QStringLiteral("docker"), args);
        return process.waitForFinished(60000) && process.exitCode() == 0;
    };
    const auto cleanupEngine = qScopeGuard([&]() {
        TestEngine::runProgram(script, {QStringLiteral("stop"), engineDir});
    });

    const Result<Endpoint> endpoint = EndpointResolver::resolve(host);
    QVERIFY(endpoint.ok());
    DockerClient client(endpoint.value());
    ContainersView view(&client);
    view.show();
    auto *table = child<QTableView>(&view, "containersTable");
    auto *status = child<QLabel>(&view, "containersStatus");
    QVERIFY(table && status);
    const auto shows = [table](const QString &name, const QString &prefix) {
        const QAbstractItemModel *model = table->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, ContainersModel::Name).data().toString() == name)
                return model->index(row, ContainersModel::Status)
                    .data()
                    .toString()
                    .startsWith(prefix);
        }
        return false;
    };
    QVERIFY(cli({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
                 QStringLiteral("none"), QStringLiteral("--name"), QStringLiteral("before"), kImage,
                 QStringLiteral("sleep"), QStringLiteral("600")}));
    QTRY_VERIFY_WITH_TIMEOUT(shows(QStringLiteral("before"), QStringLiteral("Up")), 10000);

    // The engine goes away as when it crashes or is stopped, and comes back.
    if (podman) {
        QCOMPARE(
            TestEngine::runProgram(script, {QStringLiteral("service-stop"), engineDir}).exitCode,
            0);
    } else {
        QFile pidFile(engineDir + QStringLiteral("/dockerd.pid"));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const pid_t pid = pid_t(pidFile.readAll().trimmed().toLongLong());
        QVERIFY(pid > 1 && ::kill(pid, SIGTERM) == 0);
    }
    QTRY_VERIFY_WITH_TIMEOUT(status->isVisible(), 30000);
    QVERIFY(!status->text().isEmpty());
    QVERIFY(!status->text().contains(QLatin1Char('\n')));

    const QString again = lastLine(TestEngine::runProgram(
        script, {podman ? QStringLiteral("service-start") : QStringLiteral("start"), engineDir}, {},
        170000));
    QCOMPARE(again, host);
    QTRY_VERIFY_WITH_TIMEOUT(shows(QStringLiteral("before"),
                                   podman ? QStringLiteral("Up") : QStringLiteral("Exited")),
                             30000);
    QTRY_VERIFY_WITH_TIMEOUT(!status->isVisible(), 5000);
    QVERIFY(
        cli({QStringLiteral("create"), QStringLiteral("--network"), QStringLiteral("none"),
             QStringLiteral("--name"), QStringLiteral("after"), kImage, QStringLiteral("true")}));
    QTRY_VERIFY_WITH_TIMEOUT(shows(QStringLiteral("after"), QStringLiteral("Created")), 2000);
}

QTEST_MAIN(TestContainersView)
#include "tst_containersview.moc"

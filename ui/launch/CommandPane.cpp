#include "launch/CommandPane.h"

#include "common/Error.h"
#include "launch/ComposeExport.h"
#include "launch/DockerRunExport.h"
#include "launch/KubernetesDraExport.h"
#include "launch/KubernetesExport.h"
#include "launch/PythonExport.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

const QString kKubernetesGpusKey = QStringLiteral("commands/kubernetesGpus");
const QString kDra = QStringLiteral("dra");

} // namespace

CommandPane::CommandPane(QWidget *parent)
    : QWidget(parent),
      m_tabs(new QTabWidget(this)),
      m_dockerRun(new QPlainTextEdit(this)),
      m_python(new QPlainTextEdit(this)),
      m_compose(new QPlainTextEdit(this)),
      m_podmanPage(nullptr),
      m_podmanRun(new QPlainTextEdit(this)),
      m_copyPodmanRun(new QToolButton(this)),
      m_copyDockerRun(new QToolButton(this)),
      m_copyPython(new QToolButton(this)),
      m_copyCompose(new QToolButton(this)),
      m_saveCompose(new QToolButton(this)),
      m_kubernetes(new QPlainTextEdit(this)),
      m_copyKubernetes(new QToolButton(this)),
      m_kubernetesGpus(new QComboBox(this))
{
    setObjectName(QStringLiteral("commandPane"));
    m_tabs->setObjectName(QStringLiteral("commandTabs"));
    m_dockerRun->setObjectName(QStringLiteral("dockerRunText"));
    m_python->setObjectName(QStringLiteral("pythonText"));
    m_copyDockerRun->setObjectName(QStringLiteral("copyDockerRun"));
    m_copyPython->setObjectName(QStringLiteral("copyPython"));
    m_compose->setObjectName(QStringLiteral("composeText"));
    m_copyCompose->setObjectName(QStringLiteral("copyCompose"));
    m_saveCompose->setObjectName(QStringLiteral("saveCompose"));
    m_dockerRun->setAccessibleName(tr("Equivalent docker run line"));
    m_python->setAccessibleName(tr("Equivalent Docker SDK for Python script"));
    m_compose->setAccessibleName(tr("Equivalent Compose file"));
    m_podmanRun->setObjectName(QStringLiteral("podmanRunText"));
    m_podmanRun->setAccessibleName(tr("Equivalent podman run line"));
    m_podmanRun->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_copyPodmanRun->setObjectName(QStringLiteral("copyPodmanRun"));
    m_podmanPage = page(m_podmanRun, m_copyPodmanRun, tr("the podman run line"));
    m_podmanPage->hide();

    m_tabs->setDocumentMode(true);
    m_tabs->addTab(page(m_dockerRun, m_copyDockerRun, tr("the docker run line")), tr("docker run"));
    m_tabs->addTab(page(m_python, m_copyPython, tr("the Python script")), tr("Python"));
    m_dockerRun->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_tabs->addTab(page(m_compose, m_copyCompose, tr("the Compose file"), m_saveCompose),
                   tr("Compose"));
    m_python->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_compose->setLineWrapMode(QPlainTextEdit::NoWrap);

    // Kubernetes: the device plugin's nvidia.com/gpu limit, or a DRA claim (Kubernetes 1.34+).
    m_kubernetes->setObjectName(QStringLiteral("kubernetesText"));
    m_kubernetes->setAccessibleName(tr("Equivalent Kubernetes Job"));
    m_kubernetes->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_copyKubernetes->setObjectName(QStringLiteral("copyKubernetes"));
    m_kubernetesGpus->setObjectName(QStringLiteral("kubernetesGpus"));
    m_kubernetesGpus->addItem(tr("Device plugin (nvidia.com/gpu)"),
                              int(KubernetesGpus::DevicePlugin));
    m_kubernetesGpus->addItem(tr("DRA claim (resource.k8s.io/v1, Kubernetes 1.34+)"),
                              int(KubernetesGpus::Dra));
    m_kubernetesGpus->setToolTip(
        tr("How the Job asks the cluster for GPUs: the NVIDIA device plugin's count, or a "
           "Dynamic Resource Allocation claim that can name the picked GPUs"));
    auto *kubernetesPage = new QWidget(this);
    auto *kubernetesLayout = new QVBoxLayout(kubernetesPage);
    kubernetesLayout->setContentsMargins(0, 0, 0, 0);
    auto *gpusRow = new QHBoxLayout;
    gpusRow->setContentsMargins(0, 4, 0, 0);
    auto *gpusLabel = new QLabel(tr("GPUs through:"), kubernetesPage);
    gpusLabel->setBuddy(m_kubernetesGpus);
    gpusRow->addWidget(gpusLabel);
    gpusRow->addWidget(m_kubernetesGpus);
    gpusRow->addStretch(1);
    kubernetesLayout->addLayout(gpusRow);
    kubernetesLayout->addWidget(page(m_kubernetes, m_copyKubernetes, tr("the Kubernetes Job")), 1);
    m_tabs->addTab(kubernetesPage, tr("Kubernetes"));
    // The choice is kept between runs, as the rest of the window's state is.
    if (QSettings().value(kKubernetesGpusKey).toString() == kDra)
        setKubernetesGpus(KubernetesGpus::Dra);
    connect(m_kubernetesGpus, &QComboBox::currentIndexChanged, this, [this]() {
        QSettings().setValue(kKubernetesGpusKey, kubernetesGpus() == KubernetesGpus::Dra
                                                     ? kDra
                                                     : QStringLiteral("device-plugin"));
        showKubernetes();
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_copyDockerRun, &QToolButton::clicked, this,
            [this]() { QApplication::clipboard()->setText(dockerRun()); });
    connect(m_copyPython, &QToolButton::clicked, this,
            [this]() { QApplication::clipboard()->setText(python()); });
    connect(m_copyCompose, &QToolButton::clicked, this,
            [this]() { QApplication::clipboard()->setText(compose()); });
    connect(m_copyPodmanRun, &QToolButton::clicked, this,
            [this]() { QApplication::clipboard()->setText(podmanRun()); });
    connect(m_saveCompose, &QToolButton::clicked, this, &CommandPane::askWhereToSave);
    connect(m_copyKubernetes, &QToolButton::clicked, this,
            [this]() { QApplication::clipboard()->setText(kubernetes()); });
}

void CommandPane::setPodman(bool podman, const QString &podmanVersion)
{
    const ExportTarget target = podman ? ExportTarget::podman(podmanVersion) : ExportTarget();
    if (podman == m_podman && target.podmanVersion == m_target.podmanVersion)
        return;
    m_target = target;
    if (podman != m_podman) {
        m_podman = podman;
        if (podman) {
            m_tabs->insertTab(0, m_podmanPage, tr("podman run"));
            m_tabs->setCurrentIndex(0);
        } else {
            m_tabs->removeTab(m_tabs->indexOf(m_podmanPage));
            m_podmanPage->hide();
        }
    }
    if (m_haveSpec) {
        m_haveSpec = false;
        setSpec(m_spec);
    }
}

QString CommandPane::podmanRun() const
{
    return m_podman ? m_podmanRun->toPlainText() : QString();
}

QWidget *CommandPane::page(QPlainTextEdit *text, QToolButton *copy, const QString &what,
                           QToolButton *save)
{
    auto *widget = new QWidget(this);
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    copy->setText(tr("Copy"));
    copy->setToolButtonStyle(Qt::ToolButtonTextOnly);
    copy->setToolTip(tr("Copy %1 to the clipboard").arg(what));
    connect(copy, &QToolButton::clicked, copy, [copy]() {
        // A moment of feedback: nothing else shows that the clipboard changed.
        copy->setText(tr("Copied"));
        QTimer::singleShot(1200, copy, [copy]() { copy->setText(tr("Copy")); });
    });
    auto *layout = new QHBoxLayout(widget);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(text, 1);
    auto *side = new QVBoxLayout;
    side->addWidget(copy);
    if (save) {
        save->setText(tr("Save…"));
        save->setToolButtonStyle(Qt::ToolButtonTextOnly);
        save->setToolTip(tr("Save %1 to a file").arg(what));
        side->addWidget(save);
    }
    side->addStretch(1);
    layout->addLayout(side);
    return widget;
}

void CommandPane::setEngine(const QString &engine)
{
    if (engine == m_engine)
        return;
    m_engine = engine;
    if (!m_haveSpec)
        return;
    m_haveSpec = false; // render the same launch again, for the other engine
    setSpec(m_spec);
}

void CommandPane::setSpec(const LaunchSpec &spec)
{
    setSpec(spec, spec);
}

void CommandPane::setSpec(const LaunchSpec &spec, const LaunchSpec &cluster)
{
    if (m_haveSpec && spec == m_spec && cluster == m_clusterSpec)
        return;
    m_spec = spec;
    m_clusterSpec = cluster;
    m_haveSpec = true;
    // Replace the text only when it changed, so that a selection survives unrelated updates.
    const QString run = DockerRunExport::commandLine(spec, false, m_engine);
    if (m_dockerRun->toPlainText() != run)
        m_dockerRun->setPlainText(run);
    const QString podmanLine = m_podman ? DockerRunExport::podmanCommandLine(spec, false)
                                        : QString();
    if (m_podmanRun->toPlainText() != podmanLine)
        m_podmanRun->setPlainText(podmanLine);
    const QString script = PythonExport::script(spec, false, m_target);
    if (m_python->toPlainText() != script)
        m_python->setPlainText(script);
    const QString composeFile = ComposeExport::yaml(spec, m_target);
    if (m_compose->toPlainText() != composeFile)
        m_compose->setPlainText(composeFile);
    showKubernetes();
}

void CommandPane::setInventory(const QList<GpuInfo> &gpus)
{
    QStringList key;
    for (const GpuInfo &gpu : gpus)
        key << gpu.name;
    if (key == m_inventoryKey)
        return; // utilisation and the like change every second; the Job does not read them
    m_inventoryKey = key;
    m_inventory = gpus;
    showKubernetes();
}

void CommandPane::setKubernetesGpus(KubernetesGpus gpus)
{
    m_kubernetesGpus->setCurrentIndex(m_kubernetesGpus->findData(int(gpus)));
}

CommandPane::KubernetesGpus CommandPane::kubernetesGpus() const
{
    return KubernetesGpus(m_kubernetesGpus->currentData().toInt());
}

void CommandPane::showKubernetes()
{
    if (!m_haveSpec)
        return;
    QString job;
    if (kubernetesGpus() == KubernetesGpus::Dra) {
        job = KubernetesDraExport::yaml(m_clusterSpec);
    } else {
        const Result<QString> yaml = KubernetesExport::yaml(m_clusterSpec, m_inventory);
        // Why there is no Job (e.g. "all GPUs" without this host's count), where the Job would be.
        job = yaml ? yaml.value()
                   : QStringLiteral("# ") + yaml.error().message() + QLatin1Char('\n');
    }
    if (m_kubernetes->toPlainText() != job)
        m_kubernetes->setPlainText(job);
}

QString CommandPane::dockerRun() const
{
    return m_dockerRun->toPlainText();
}

QString CommandPane::python() const
{
    return m_python->toPlainText();
}

QString CommandPane::compose() const
{
    return m_compose->toPlainText();
}

QString CommandPane::kubernetes() const
{
    return m_kubernetes->toPlainText();
}

Result<void> CommandPane::saveCompose(const QString &path) const
{
    QSaveFile file(path);
    const QByteArray bytes = compose().toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error(Error::Code::Io,
                     tr("Saving the Compose file to %1 failed").arg(QDir::toNativeSeparators(path)),
                     file.errorString(), tr("choose another folder"));
    return {};
}

void CommandPane::askWhereToSave()
{
    // Not blocking: the dialog reports back through its signal and deletes itself.
    auto *dialog = new QFileDialog(this, tr("Save the Compose file"), QDir::homePath(),
                                   tr("Compose files (*.yaml *.yml);;All files (*)"));
    dialog->setObjectName(QStringLiteral("saveComposeDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("yaml"));
    dialog->selectFile(QStringLiteral("compose.yaml"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        const Result<void> saved = saveCompose(path);
        if (!saved) {
            auto *box = new QMessageBox(QMessageBox::Warning, tr("Save the Compose file"),
                                        saved.error().message(), QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
    });
    dialog->open();
}

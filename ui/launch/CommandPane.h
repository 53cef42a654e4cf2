#pragma once

#include "common/Result.h"
#include "gpu/GpuInfo.h"
#include "launch/ExportTarget.h"
#include "launch/LaunchSpec.h"

#include <QWidget>

class QComboBox;
class QPlainTextEdit;
class QTabWidget;
class QToolButton;

// The launch the window shows, as the `docker run` line (and `podman run` on Podman), the Docker
// SDK for Python script, the Compose file and the Kubernetes Job that do the same, each with a
// copy button (the Compose file also with a save button). The Kubernetes tab asks for the GPUs
// through the NVIDIA device plugin or through DRA, as the user picks (kept in QSettings). It
// follows every tick and keystroke.
class CommandPane : public QWidget
{
    Q_OBJECT

public:
    explicit CommandPane(QWidget *parent = nullptr);

    // What the Kubernetes tab asks for.
    enum class KubernetesGpus { DevicePlugin, Dra };

    void setSpec(const LaunchSpec &spec);
    // cluster: the launch as the Kubernetes tab takes it, e.g. "N free GPUs" still a count where
    // spec names the GPUs free here now (a cluster picks free GPUs itself).
    void setSpec(const LaunchSpec &spec, const LaunchSpec &cluster);
    // The engine's host's GPUs: the device plugin's Job names their product for picked GPUs, and
    // their number for "all GPUs".
    void setInventory(const QList<GpuInfo> &gpus);
    void setKubernetesGpus(KubernetesGpus gpus);
    KubernetesGpus kubernetesGpus() const;
    // The engine the docker run line names (-H URL or --context NAME); empty for the usual one.
    void setEngine(const QString &engine);
    // A Podman engine: a "podman run" tab comes first (GPUs as CDI devices, as Podman takes them);
    // before 5.4 the Python and Compose exports say that Podman drops their GPU requests.
    void setPodman(bool podman, const QString &podmanVersion = {});
    QString dockerRun() const;
    QString podmanRun() const;
    QString python() const;
    QString compose() const;
    QString kubernetes() const;

    // Writes the Compose file to path (atomically); the save button asks for the path.
    Result<void> saveCompose(const QString &path) const;

private:
    QWidget *page(QPlainTextEdit *text, QToolButton *copy, const QString &what,
                  QToolButton *save = nullptr);
    void askWhereToSave();
    void showKubernetes();

    QTabWidget *m_tabs;
    QPlainTextEdit *m_dockerRun;
    QPlainTextEdit *m_python;
    QPlainTextEdit *m_compose;
    QWidget *m_podmanPage;
    QPlainTextEdit *m_podmanRun;
    QToolButton *m_copyPodmanRun;
    QToolButton *m_copyDockerRun;
    QToolButton *m_copyPython;
    QToolButton *m_copyCompose;
    QToolButton *m_saveCompose;
    QPlainTextEdit *m_kubernetes;
    QToolButton *m_copyKubernetes;
    QComboBox *m_kubernetesGpus;
    LaunchSpec m_spec;
    LaunchSpec m_clusterSpec;
    QList<GpuInfo> m_inventory;
    QStringList m_inventoryKey; // what the Job reads of it: each GPU's name
    bool m_haveSpec = false;
    QString m_engine;
    bool m_podman = false;
    ExportTarget m_target;
};

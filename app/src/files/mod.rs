//! The file store: certificate documents, photos, signatures and accreditations live outside the
//! database under server-chosen keys. A local folder by default, or S3-compatible object storage
//! when configured (what several servers share).

pub mod certificate_corpus;
pub mod certificate_text;
pub mod heic;
pub mod hostile;
pub mod ics;
pub mod pdf;
pub mod photos;
pub mod s3;
pub mod signatures;
pub mod spreadsheet;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A stored file as handed to someone allowed to have it: its name for the download, the type
/// it was checked to be when it arrived, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Files stored ahead of the transaction that records them: the one upload sequence (check the
/// file, stage it, record it in a transaction, keep it). What the record does not keep is
/// deleted, so neither a row without its file nor a stray file remains: at once by
/// [`Staged::settle`] when the transaction failed, or, when a use case returns early or panics,
/// in the background as the guard is dropped.
#[must_use = "settle the staged files with the transaction's result, or they are deleted"]
pub struct Staged {
    files: FileStore,
    keys: Vec<String>,
}

impl Staged {
    pub fn new(files: &FileStore) -> Staged {
        Staged {
            files: files.clone(),
            keys: Vec::new(),
        }
    }

    /// Stores one file under `area`; its key is what the record will name.
    pub async fn put(
        &mut self,
        area: &str,
        agency_id: i64,
        extension: &str,
        bytes: &[u8],
    ) -> Result<String, FileError> {
        let key = self.files.put(area, agency_id, extension, bytes).await?;
        self.keys.push(key.clone());
        Ok(key)
    }

    /// Keeps the files when the transaction committed, deletes them now when it did not.
    pub async fn settle<T, E>(mut self, recorded: Result<T, E>) -> Result<T, E> {
        let keys = std::mem::take(&mut self.keys);
        if recorded.is_err() {
            delete_unrecorded(&self.files, keys).await;
        }
        recorded
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let keys = std::mem::take(&mut self.keys);
        if keys.is_empty() {
            return;
        }
        let files = self.files.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move { delete_unrecorded(&files, keys).await });
            }
            Err(_) => tracing::warn!("{} unrecorded files left in the store", keys.len()),
        }
    }
}

impl FileStore {
    /// Deletes a file a committed change no longer names (a replaced quote's document). A
    /// failure leaves a stray file, never a record without its file, so it is logged only.
    pub async fn delete_unused(&self, key: &str) {
        if let Err(e) = self.delete(key).await {
            tracing::warn!("could not remove a file no longer used: {e}");
        }
    }
}

async fn delete_unrecorded(files: &FileStore, keys: Vec<String>) {
    for key in keys {
        if let Err(e) = files.delete(&key).await {
            tracing::warn!("could not remove an unrecorded file: {e}");
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
    #[error("file store: bad key {0:?}")]
    BadKey(String),
    #[error("{0}")]
    ObjectStorage(#[from] s3::S3Error),
}

#[derive(Clone, Debug)]
pub struct FileStore {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    Local(PathBuf),
    S3(Arc<s3::S3Store>),
}

impl FileStore {
    pub fn local(root: impl Into<PathBuf>) -> Self {
        FileStore {
            backend: Backend::Local(root.into()),
        }
    }

    pub fn object_storage(settings: s3::S3Settings) -> Result<Self, FileError> {
        Ok(FileStore {
            backend: Backend::S3(Arc::new(s3::S3Store::new(settings)?)),
        })
    }

    /// Stores the bytes under a fresh key and answers it; the object is whole or absent.
    pub async fn put(
        &self,
        area: &str,
        agency_id: i64,
        extension: &str,
        bytes: &[u8],
    ) -> Result<String, FileError> {
        let mut random = [0u8; 16];
        OsRng.fill_bytes(&mut random);
        let name: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("{area}/{agency_id}/{name}.{extension}");
        check_key(&key)?;
        match &self.backend {
            Backend::Local(root) => put_local(root, &key, &name, bytes).await?,
            Backend::S3(store) => store.put(&key, bytes).await?,
        }
        Ok(key)
    }

    pub async fn read(&self, key: &str) -> Result<Vec<u8>, FileError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(root) => Ok(tokio::fs::read(root.join(key)).await?),
            Backend::S3(store) => Ok(store.read(key).await?),
        }
    }

    /// Deleting what is already gone succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), FileError> {
        check_key(key)?;
        match &self.backend {
            Backend::Local(root) => match tokio::fs::remove_file(root.join(key)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            },
            Backend::S3(store) => Ok(store.delete(key).await?),
        }
    }
}

/// Written to a temporary name, synced, then renamed, and the folder synced: a crash leaves no
/// half file under the key, and a power cut cannot keep the database row that names the file
/// (committed after this returns) while losing the file's new name.
async fn put_local(root: &Path, key: &str, name: &str, bytes: &[u8]) -> Result<(), FileError> {
    let path = root.join(key);
    let folder = path.parent().expect("keys have folders");
    tokio::fs::create_dir_all(folder).await?;
    let temporary = folder.join(format!(".{name}.part"));
    let written = async {
        use tokio::io::AsyncWriteExt;
        let mut file = tokio::fs::File::create(&temporary).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&temporary, &path).await?;
        tokio::fs::File::open(folder).await?.sync_all().await
    }
    .await;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(e.into());
    }
    Ok(())
}

/// Keys are relative paths of plain segments, so none can leave the folder or the bucket.
fn check_key(key: &str) -> Result<(), FileError> {
    let relative = Path::new(key);
    if key.is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(FileError::BadKey(key.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn staged_files_stay_only_when_their_record_landed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path());
        let stage = |bytes: &'static [u8]| {
            let store = store.clone();
            async move {
                let mut staged = Staged::new(&store);
                let key = staged.put("tasks", 3, "pdf", bytes).await.unwrap();
                (staged, key)
            }
        };
        let (staged, kept) = stage(b"kept").await;
        assert_eq!(staged.settle(Ok::<_, ()>(1)).await, Ok(1));
        let (staged, refused) = stage(b"refused").await;
        assert_eq!(
            staged.settle(Err::<(), _>("rolled back")).await,
            Err("rolled back")
        );
        let (staged, abandoned) = stage(b"abandoned").await;
        drop(staged); // an early return: deleted in the background
        assert_eq!(store.read(&kept).await.unwrap(), b"kept");
        assert!(store.read(&refused).await.is_err());
        for _ in 0..100 {
            if store.read(&abandoned).await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the abandoned file is still in the store");
    }

    #[tokio::test]
    async fn files_are_stored_read_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path());
        let key = store
            .put("certificates", 7, "pdf", b"%PDF-1.4 hello")
            .await
            .unwrap();
        assert!(key.starts_with("certificates/7/") && key.ends_with(".pdf"));
        assert_eq!(store.read(&key).await.unwrap(), b"%PDF-1.4 hello");
        let other = store.put("certificates", 7, "pdf", b"x").await.unwrap();
        assert_ne!(key, other);
        store.delete(&key).await.unwrap();
        store.delete(&key).await.unwrap();
        assert!(store.read(&key).await.is_err());
        // No temporary files are left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path().join("certificates/7"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left.len(), 1);
        assert!(!left[0].starts_with('.'));
    }

    #[tokio::test]
    async fn keys_cannot_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::local(dir.path().join("files"));
        for key in ["../secret", "/etc/passwd", "a/../../b", ""] {
            assert!(
                matches!(store.read(key).await, Err(FileError::BadKey(_))),
                "{key}"
            );
        }
    }
}

//! The file store: certificate documents (later photos, reports, signatures) live outside the
//! database under server-chosen keys. A local folder by default; the interface is what an object
//! store would need (put, read, delete), so S3-compatible storage can slot in as another backend.

pub mod pdf;
pub mod photos;
pub mod signatures;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
    #[error("file store: bad key {0:?}")]
    BadKey(String),
}

#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// Files under `root`, created when missing.
    pub fn local(root: impl Into<PathBuf>) -> Self {
        FileStore { root: root.into() }
    }

    /// Stores `bytes` under a new key `{area}/{agency_id}/{random}.{ext}`. The file is written to
    /// a temporary name, flushed to disk and renamed, so a crash never leaves half a file under a
    /// key the database knows.
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
        let path = self.path(&key)?;
        let folder = path.parent().expect("keys have folders");
        tokio::fs::create_dir_all(folder).await?;
        let temporary = folder.join(format!(".{name}.part"));
        let written = async {
            use tokio::io::AsyncWriteExt;
            let mut file = tokio::fs::File::create(&temporary).await?;
            file.write_all(bytes).await?;
            file.sync_all().await?;
            tokio::fs::rename(&temporary, &path).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(e.into());
        }
        Ok(key)
    }

    pub async fn read(&self, key: &str) -> Result<Vec<u8>, FileError> {
        Ok(tokio::fs::read(self.path(key)?).await?)
    }

    /// Removes a stored file; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), FileError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Keys come from `put`, but a key is still never allowed out of the root.
    fn path(&self, key: &str) -> Result<PathBuf, FileError> {
        let relative = Path::new(key);
        if key.is_empty()
            || !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(FileError::BadKey(key.to_string()));
        }
        Ok(self.root.join(relative))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

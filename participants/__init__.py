from empowersave.compiled import prefer_compiled

prefer_compiled(__path__, __name__)
